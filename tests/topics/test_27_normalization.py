"""Topic 27 (normalization): the graded tests catch the classic mistakes and accept a float32 answer.

Each buggy fixture is the solved notebook with one function changed; it must lose the test named
here. The alternative fixture (float32, backward written node by node) must get full marks."""
from pathlib import Path

import pytest

from autograder.grade import grade_one, reference_observations
from autograder.sandbox import get_sandbox
from autograder.topics import get_topic

pytestmark = pytest.mark.slow  # about 40 s: nine notebooks through the process sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "27_normalization"
SEED = 1234

# fixture -> tests it must fail; every other test must pass (each bug is local to one function)
BUGGY = {
    "unbiased_variance": {"batchnorm_train_forward", "batchnorm_backward"},
    "running_var_biased": {"batchnorm_train_forward", "batchnorm_eval_forward"},
    "running_stats_not_updated": {"batchnorm_train_forward", "batchnorm_eval_forward"},
    "eval_uses_batch_stats": {"batchnorm_eval_forward"},
    "layernorm_over_batch_axis": {"layernorm_forward"},
    "backward_missing_mean_term": {"batchnorm_backward"},
    "layernorm_backward_batch_means": {"layernorm_backward"},
    "groupnorm_wrong_grouping": {"groupnorm_forward"},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    topic = get_topic("27_normalization")
    box = get_sandbox("process")
    ref = reference_observations(topic, SEED)
    out = tmp_path_factory.mktemp("grade27")
    reports = {}
    for name in [*BUGGY, "alt_correct_float32"]:
        reports[name] = grade_one(topic=topic, path=FIXTURES / f"{name}.ipynb", out_dir=out / name,
                                  seed=SEED, sandbox=box, ref=ref)
    return reports


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_fixture_loses_exactly_the_expected_tests(graded, name):
    report = graded[name]
    failed = {t.id for t in report.tests if t.status != "passed"}
    assert failed == BUGGY[name], f"{name}: expected to fail {sorted(BUGGY[name])}, failed {sorted(failed)}"
    assert report.score < report.max_score
    assert not any(t.status == "grader_error" for t in report.tests)


@pytest.mark.parametrize("name, test_id", [("backward_missing_mean_term", "batchnorm_backward"),
                                           ("layernorm_backward_batch_means", "layernorm_backward")])
def test_gradient_diagnostic_blames_the_backward(graded, name, test_id):
    test = next(t for t in graded[name].tests if t.id == test_id)
    assert "look at the backward" in test.output, test.output


def test_alternative_float32_gets_full_marks(graded):
    report = graded["alt_correct_float32"]
    assert report.score == report.max_score, [(t.id, t.output) for t in report.tests
                                              if t.status != "passed"]
