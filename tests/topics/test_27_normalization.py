"""Topic 27 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently (float32, backward written node by node) gets full marks
(graded in the process sandbox)."""
import pytest

pytestmark = pytest.mark.slow  # about 40 s: ten notebooks through the process sandbox

SEED = 1234
TOPIC = "27_normalization"
# fixture -> the tests it must fail
BUGGY = {
    "unbiased_variance.ipynb": ["batchnorm_train_forward", "batchnorm_backward"],
    "running_var_biased.ipynb": ["batchnorm_train_forward", "batchnorm_eval_forward"],
    "running_stats_not_updated.ipynb": ["batchnorm_train_forward", "batchnorm_eval_forward"],
    "eval_uses_batch_stats.ipynb": ["batchnorm_eval_forward"],
    "layernorm_over_batch_axis.ipynb": ["layernorm_forward"],
    "backward_missing_mean_term.ipynb": ["batchnorm_backward"],
    "layernorm_backward_batch_means.ipynb": ["layernorm_backward"],
    "groupnorm_wrong_grouping.ipynb": ["groupnorm_forward"],
    "eps_hardcoded.ipynb": ["layernorm_forward", "groupnorm_forward"],
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


@pytest.mark.parametrize("name, test_id", [("backward_missing_mean_term.ipynb", "batchnorm_backward"),
                                           ("layernorm_backward_batch_means.ipynb", "layernorm_backward")])
def test_gradient_diagnostic_blames_the_backward(graded, name, test_id):
    test = next(t for t in graded[name].tests if t.id == test_id)
    assert "look at the backward" in test.output, test.output
