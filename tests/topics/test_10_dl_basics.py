"""Topic 10 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox). The
hostile fixtures of this topic (exits, loops, bombs) are graded by tests/grade/test_bad_inputs.py."""
import pytest

SEED = 20240
TOPIC = "10_dl_basics"
# fixture -> the tests it must fail
BUGGY = {
    "naive_softmax_nan.ipynb": ["softmax_forward"],
    "wrong_sigmoid_backward.ipynb": ["activations_backward"],
    "wrong_shape_relu.ipynb": ["activations_forward"],
    "naive_sigmoid_warns.ipynb": ["activations_extreme"],
    "sigmoid_where_both_branches.ipynb": ["activations_extreme"],
    "leaky_relu_default_alpha.ipynb": ["activations_forward"],
    "softmax_global_max.ipynb": ["softmax_forward"],
    "softmax_backward_ignores_axis.ipynb": ["softmax_backward"],
    "cross_entropy_log_of_softmax.ipynb": ["losses_extreme"],
    "bce_log1p_exp_overflow.ipynb": ["losses_extreme"],
    "relu_in_place.ipynb": ["activations_forward"],
}
ALTERNATIVES = ["passes_all.ipynb", "alt_correct_float32.ipynb", "alt_correct_loops_einsum.ipynb"]


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
