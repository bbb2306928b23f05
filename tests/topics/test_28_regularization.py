"""Topic 28 (regularization): the graded tests catch the classic mistakes and accept a float32 answer
written differently.

Each buggy fixture is the solved notebook with one function changed; it must lose the tests named
here and keep the others. The alternative fixture (float32, np.where, a different early-stopping
loop) must get full marks."""
from pathlib import Path

import pytest

from autograder.grade import grade_one, reference_observations
from autograder.sandbox import get_sandbox
from autograder.topics import get_topic

pytestmark = pytest.mark.slow  # about 30 s: eight notebooks through the process sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "28_regularization"
SEED = 2828

# fixture -> tests it must fail; every other test must pass (each bug is local to one function)
BUGGY = {
    "dropout_no_rescale": {"dropout_forward", "dropout_backward"},
    "dropout_keeps_with_prob_p": {"dropout_forward"},
    "dropout_eval_draws_mask": {"dropout_eval"},
    "l1_grad_without_sign": {"l1_gradient"},
    "l2_grad_double": {"l2_gradient"},
    "early_stopping_off_by_one": {"early_stopping_steps", "early_stopping_epochs"},
    "early_stopping_min_delta_inclusive": {"early_stopping_epochs"},
}
# tests a fixture may fail besides the ones above (depends on the random curves)
MAY_ALSO_FAIL = {"early_stopping_min_delta_inclusive": {"early_stopping_steps"}}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    topic = get_topic("28_regularization")
    box = get_sandbox("process")
    ref = reference_observations(topic, SEED)
    out = tmp_path_factory.mktemp("grade28")
    return {name: grade_one(topic=topic, path=FIXTURES / f"{name}.ipynb", out_dir=out / name,
                            seed=SEED, sandbox=box, ref=ref)
            for name in [*BUGGY, "alt_correct_float32"]}


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_fixture_loses_exactly_the_expected_tests(graded, name):
    report = graded[name]
    failed = {t.id for t in report.tests if t.status != "passed"}
    assert BUGGY[name] <= failed, f"{name}: expected to fail {sorted(BUGGY[name])}, failed {sorted(failed)}"
    extra = failed - BUGGY[name] - MAY_ALSO_FAIL.get(name, set())
    assert not extra, f"{name}: also failed {sorted(extra)}"
    assert report.score < report.max_score


def test_gradient_diagnostic_blames_the_backward(graded):
    test = next(t for t in graded["l1_grad_without_sign"].tests if t.id == "l1_gradient")
    assert "look at the backward" in test.output, test.output


def test_alternative_float32_gets_full_marks(graded):
    report = graded["alt_correct_float32"]
    assert report.score == report.max_score, [(t.id, t.output) for t in report.tests
                                              if t.status != "passed"]
