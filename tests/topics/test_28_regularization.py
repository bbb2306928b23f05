"""Topic 28 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently (float32, np.where, a different early-stopping loop) gets
full marks (graded in the process sandbox)."""
import pytest

pytestmark = pytest.mark.slow  # about 30 s: ten notebooks through the process sandbox

SEED = 2828
TOPIC = "28_regularization"
# fixture -> the tests it must fail
BUGGY = {
    "dropout_no_rescale.ipynb": ["dropout_forward", "dropout_backward"],
    "dropout_keeps_with_prob_p.ipynb": ["dropout_forward"],
    "dropout_eval_draws_mask.ipynb": ["dropout_eval"],
    "l1_grad_without_sign.ipynb": ["l1_gradient"],
    "l2_grad_double.ipynb": ["l2_gradient"],
    "early_stopping_off_by_one.ipynb": ["early_stopping_steps", "early_stopping_epochs"],
    "early_stopping_min_delta_inclusive.ipynb": ["early_stopping_epochs"],
    "early_stopping_sentinel.ipynb": ["early_stopping_epochs"],
    "weight_decay_in_place.ipynb": ["weight_decay_step"],
}
ALTERNATIVES = ["alt_correct_float32.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


def test_gradient_diagnostic_blames_the_backward(graded):
    test = next(t for t in graded["l1_grad_without_sign.ipynb"].tests if t.id == "l1_gradient")
    assert "look at the backward" in test.output, test.output
