"""Topic 37 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "37_optimizers"
# fixture -> the tests it must fail
BUGGY = {'adam_no_bias_correction.ipynb': ['adam_trajectory', 'adamw_trajectory', 'adam_convergence'], 'adamw_coupled_decay.ipynb': ['adamw_trajectory'], 'nesterov_as_momentum.ipynb': ['nesterov_trajectory'], 'per_array_clipping.ipynb': ['clip_grad_norm'], 'rmsprop_eps_inside_sqrt.ipynb': ['adagrad_rmsprop_trajectory'], 'adam_copies_lr_once.ipynb': ['adam_trajectory', 'adamw_trajectory', 'adam_convergence'], 'rmsprop_rho_hardcoded.ipynb': ['adagrad_rmsprop_trajectory'], 'adamw_ignores_betas_eps.ipynb': ['adamw_trajectory'], 'clip_in_place.ipynb': ['clip_grad_norm']}
ALTERNATIVES = ['alt_correct_float32.ipynb']
# forgery -> its honest twin: the convergence test is fed (the grader keeps its own copy of each
# quadratic) and every returned iterate is checked against one reference Adam step, so an optimizer
# that stalls after 20 steps and then jumps to the optimum read from the probe's frame (x*, or A and
# b solved) scores what the same optimizer that just stalls scores.
FORGERIES = {'optimum_from_frame.ipynb': 'stalls_after_20_steps.ipynb'}


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
    status = {t.id: t.status for t in forged.tests}
    assert status["adam_convergence"] == "failed" and status["adam_trajectory"] == "passed"
    assert forged.grader_errors == 0 and forged.score < forged.max_score


def test_convergence_names_the_first_step_that_is_not_adam(graded):
    test = next(t for t in graded["optimum_from_frame.ipynb"].tests if t.id == "adam_convergence")
    assert "step 21" in test.output and "not Adam steps" in test.output
    assert test.details.get("curve") and test.details.get("reference_curve")
