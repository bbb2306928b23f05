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
# The returned losses and (w, b) are checked against a trusted replay of the specified run, so
# Newton steps with an invented decreasing curve score what the untrained fit scores.
FORGERIES = {'forged_true_weights_without_training.ipynb': 'untrained_graded_run.ipynb',
             'newton_fake_losses.ipynb': 'untrained_graded_run.ipynb'}


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


def test_fit_verdict_replays_the_specified_run():
    # Trusted side only: the returned curve and (w, b) are compared with the reference's replay of
    # the specified run on the kept training data; the real curve with parameters from elsewhere
    # (Newton steps), a short curve, or a curve in float32 are judged as the notebook promises.
    import numpy as np

    from autograder.runtime.harness import output_arrays
    from autograder.topics import get_topic
    from autograder.verdict import load_verdicts

    topic = get_topic(TOPIC)
    test = next(t for t in topic.tests if t.id == "fit_convergence")
    probes, ref_mod, verdicts = {}, {}, load_verdicts(topic)
    exec(compile(topic.source("probes.py"), "<probes>", "exec"), probes)  # noqa: S102 - ours
    exec(compile(topic.source("reference.py"), "<reference>", "exec"), ref_mod)  # noqa: S102
    data = probes["classification_task"](np.random.default_rng(5))
    sent = {k: v for k, v in data.items() if not k.startswith("_")}
    held = {k[1:]: v for k, v in data.items() if k.startswith("_")}
    ref = output_arrays(probes["fit_convergence"](type("R", (), ref_mod), None)(**sent))

    def judge(**change):
        return verdicts.accuracy_target(ref=ref, sub={**ref, **change}, test=test, seed=0, held_out=held)

    assert judge().fraction == 1.0
    assert judge(curve=ref["curve"].astype(np.float32).astype(float)).fraction == 1.0
    short = judge(curve=ref["curve"][:-1])
    assert short.fraction == 0.0 and "shape (199,)" in short.message
    A = np.hstack([sent["X"], np.ones((len(sent["y"]), 1))])  # (n, d + 1)
    theta = np.zeros(A.shape[1])
    for _ in range(6):  # Newton steps: the maximum-likelihood answer, not 200 GD steps
        p = ref_mod["sigmoid"](A @ theta)
        theta -= np.linalg.solve(A.T @ (A * (p * (1 - p))[:, None]), A.T @ (p - sent["y"]))
    newton = judge(**{"param.w": theta[:-1], "param.b": np.asarray(theta[-1]),
                      "pred_train": (A @ theta >= 0).astype(float)})
    assert newton.fraction == 0.0 and "final parameters" in newton.message, newton.message
