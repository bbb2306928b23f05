"""Topic 09 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

pytestmark = pytest.mark.slow  # about 40 s: five notebooks through the process sandbox

SEED = 20240
TOPIC = "09_neural_network"
# fixture -> the tests it must fail
BUGGY = {'transposed_weight_gradient.ipynb': ['linear_backward', 'mlp_grads', 'sgd_steps', 'xor_convergence'], 'no_bias_gradient.ipynb': ['linear_backward', 'mlp_grads', 'sgd_steps'], 'naive_bce_overflow.ipynb': ['bce_values'], 'bce_gradient_not_averaged.ipynb': ['bce_backward', 'mlp_grads', 'sgd_steps'], 'sigmoid_overflow_warns.ipynb': ['bce_values'], 'sgd_step_not_in_place.ipynb': ['sgd_steps']}
ALTERNATIVES = ['alt_correct_float32.ipynb', 'alt_correct_numpy_scalars.ipynb']
# forgery -> its honest twin: the convergence test is fed (the held-out set never reaches the
# sandbox) and scored with the reference's forward of the returned parameters, so a predict that
# answers XOR by rule over an untrained network scores what the untrained network scores.
# Weights set by hand for the textbook XOR (no training) meet a secretly transformed XOR.
FORGERIES = {'xor_rule_without_training.ipynb': 'untrained_long_runs.ipynb',
             'xor_weights_set_by_hand.ipynb': 'untrained_long_runs.ipynb'}


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, *FORGERIES, *FORGERIES.values()], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_scores_what_its_honest_twin_scores(graded, name):
    forged, twin = graded[name], graded[FORGERIES[name]]
    assert {t.id: t.score for t in forged.tests} == {t.id: t.score for t in twin.tests}
    assert {t.id: t.status for t in twin.tests}["xor_convergence"] == "failed"
    assert forged.score < forged.max_score
