"""Topic 02 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "02_linear_regression"
# fixture -> the tests it must fail
BUGGY = {'gradient_missing_2_over_n.ipynb': ['mse_gradients', 'gd_steps', 'gd_convergence'], 'gradient_missing_factor_2.ipynb': ['mse_gradients', 'gd_steps', 'gd_convergence'], 'r2_wrong_denominator.ipynb': ['r2_values'], 'no_bias.ipynb': ['normal_equation_values', 'gd_steps', 'gd_convergence'], 'fit_wrong_default_steps.ipynb': ['gd_steps']}
ALTERNATIVES = ['alt_correct_lstsq_float32.ipynb', 'alt_correct_numpy_scalars.ipynb']
# forgery -> its honest twin: the convergence test is fed (the held-out set and the true weights
# never reach the sandbox) and scores the returned (w, b) with the reference's predict, so a fit_gd
# that skips training and looks up the true weights (callers' frames, a replay of the probe's draws
# from the run's seed; full marks before the test was fed) scores what the untrained fit scores.
# The returned losses and (w, b) are checked against a trusted replay of the specified run, so the
# least-squares answer with an invented decreasing curve scores what the untrained fit scores.
FORGERIES = {'forged_true_weights_without_training.ipynb': 'untrained_graded_run.ipynb',
             'closed_form_fake_losses.ipynb': 'untrained_graded_run.ipynb'}


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
    assert {t.id: t.status for t in twin.tests}["gd_convergence"] == "failed"
    assert forged.score < forged.max_score


def test_gd_verdict_replays_the_specified_run():
    # Trusted side only: the returned curve and (w, b) are compared with the reference's replay of
    # the specified run on the kept training data: a curve in float32 passes; a curve one step
    # short, or one step off, fails with the step named.
    import numpy as np

    from autograder.runtime.harness import output_arrays
    from autograder.topics import get_topic
    from autograder.verdict import load_verdicts

    topic = get_topic(TOPIC)
    test = next(t for t in topic.tests if t.id == "gd_convergence")
    probes, ref_mod, verdicts = {}, {}, load_verdicts(topic)
    exec(compile(topic.source("probes.py"), "<probes>", "exec"), probes)  # noqa: S102 - ours
    exec(compile(topic.source("reference.py"), "<reference>", "exec"), ref_mod)  # noqa: S102
    data = probes["regression_task"](np.random.default_rng(5))
    sent = {k: v for k, v in data.items() if not k.startswith("_")}
    held = {k[1:]: v for k, v in data.items() if k.startswith("_")}
    ref = output_arrays(probes["gd_convergence"](type("R", (), ref_mod), None)(**sent))

    def judge(**change):
        return verdicts.r2_target(ref=ref, sub={**ref, **change}, test=test, seed=0, held_out=held)

    assert judge().fraction == 1.0
    assert judge(curve=ref["curve"].astype(np.float32).astype(float)).fraction == 1.0
    short = judge(curve=ref["curve"][1:])
    assert short.fraction == 0.0 and "shape (149,)" in short.message
    off = ref["curve"].copy()
    off[7] *= 1.001
    stepped = judge(curve=off)
    assert stepped.fraction == 0.0 and "1 of 150 steps differ (first: step 7" in stepped.message
