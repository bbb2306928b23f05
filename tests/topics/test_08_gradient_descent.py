"""Topic 08 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "08_gradient_descent"
# fixture -> the tests it must fail
BUGGY = {'no_reshuffle_per_epoch.ipynb': ['sgd_trajectory', 'minibatch_trajectory', 'minibatch_convergence'], 'stopping_off_by_one.ipynb': ['stopping_rule'], 'sum_gradient.ipynb': ['gradient_values', 'batch_gd_trajectory', 'minibatch_convergence'], 'threshold_one_over_L.ipynb': ['lr_effects'], 'w0_modified.ipynb': ['batch_gd_trajectory']}
ALTERNATIVES = ['alt_correct_explicit_loops.ipynb', 'alt_correct_float32.ipynb']
# forgery -> its honest twin: the convergence test is fed (the held-out set and the true weights
# never reach the sandbox) and scores the returned weights with the reference's loss, so a
# minibatch_gd that skips training and looks up the true weights (callers' frames, a replay of the
# probe's draws from the run's seed; full marks before the test was fed) scores what the untrained
# run scores.
# A history written around the closed-form least-squares answer is replayed epoch by epoch.
FORGERIES = {'forged_true_weights_without_training.ipynb': 'untrained_graded_run.ipynb',
             'closed_form_fake_history.ipynb': 'untrained_graded_run.ipynb'}


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
    assert {t.id: t.status for t in twin.tests}["minibatch_convergence"] == "failed"
    assert forged.score < forged.max_score
