"""Topic 03 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "03_logistic_regression"
# fixture -> the tests it must fail
BUGGY = {'naive_sigmoid_overflow.ipynb': ['sigmoid_values', 'bce_extreme'], 'gradient_sign_error.ipynb': ['bce_gradients', 'fit_steps', 'fit_convergence'], 'precision_recall_swapped.ipynb': ['metrics_values'], 'confusion_transposed.ipynb': ['metrics_values'], 'sigmoid_overflow_warns.ipynb': ['sigmoid_values'], 'metrics_divide_by_zero_warns.ipynb': ['metrics_values'], 'fit_wrong_default_lr.ipynb': ['fit_steps']}
ALTERNATIVES = ['alt_correct_logaddexp.ipynb', 'alt_correct_float32.ipynb', 'alt_correct_numpy_scalars.ipynb']
# forgery -> its honest twin: the convergence test is fed (the held-out set and the true weights
# never reach the sandbox) and scores the returned (w, b) with the reference's predict, so a
# fit_logistic that skips training and looks up the true weights (callers' frames, a replay of the
# probe's draws from the run's seed; full marks before the test was fed) scores what the untrained
# fit scores.
FORGERIES = {'forged_true_weights_without_training.ipynb': 'untrained_graded_run.ipynb'}


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
    assert {t.id: t.status for t in twin.tests}["fit_convergence"] == "failed"
    assert forged.score < forged.max_score
