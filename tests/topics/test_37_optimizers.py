"""Topic 37 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

from autograder.grade import grade_one, reference_observations
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import get_topic

SEED = 20240
TOPIC = "37_optimizers"
# fixture -> the tests it must fail
BUGGY = {"adam_no_bias_correction.ipynb": ["adam_trajectory", "adamw_trajectory"],
         "adamw_coupled_decay.ipynb": ["adamw_trajectory"],
         "nesterov_as_momentum.ipynb": ["nesterov_trajectory"],
         "per_array_clipping.ipynb": ["clip_grad_norm"],
         "rmsprop_eps_inside_sqrt.ipynb": ["adagrad_rmsprop_trajectory"]}
ALTERNATIVES = ["alt_correct_float32.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory):
    from concurrent.futures import ThreadPoolExecutor

    topic = get_topic(TOPIC)
    ref = reference_observations(topic, SEED)
    out = tmp_path_factory.mktemp(TOPIC)
    box = ProcessSandbox()
    names = sorted([*BUGGY, *ALTERNATIVES])

    def one(item):
        slot, name = item
        path = fixtures / TOPIC / name
        return name, grade_one(topic=topic, path=path, out_dir=out / name, seed=SEED, sandbox=box,
                               ref=ref, slot=slot % 2)

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, enumerate(names)))


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name):
    report = graded[name]
    status = {t.id: t.status for t in report.tests}
    assert report.grader_errors == 0
    for test_id in BUGGY[name]:
        assert status[test_id] == "failed", f"{name} should fail {test_id}: {status}"
    assert report.score < report.max_score


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name):
    report = graded[name]
    failed = {t.id: t.output for t in report.tests if t.status != "passed"}
    assert not failed, failed
    assert report.score == report.max_score
