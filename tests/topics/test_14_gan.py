"""Topic 14 fixtures, graded in the process sandbox: each plausible bug loses the tests that target
it (the convergence test where the bug stops the generator from learning), and correct submissions
written differently (logsigmoid in float64 with float64 training; a hand-written softplus, modules
built with activation objects, a no_grad discriminator step) keep full marks under two seeds.
(Offline, the same outcomes held for 2 seeds for the bugs and 10 seeds for the alternatives.)"""
import pytest

pytestmark = pytest.mark.slow  # about 3-6 min: 16 notebooks, most training five small GANs

TOPIC = "14_gan"
SEEDS = (1414, 8)
# fixture -> the tests it must fail
BUGGY = {
    "naive_log_sigmoid.ipynb": ["losses_stability"],
    "generator_trained_with_saturating_loss.ipynb": ["train_step_values"],
    "d_loss_labels_swapped.ipynb": ["d_loss_values", "losses_stability", "loss_grads",
                                    "train_step_values", "mixture_convergence"],
    "d_loss_averaged_halves.ipynb": ["d_loss_values", "losses_stability", "loss_grads",
                                     "train_step_values"],
    "g_loss_sign_flipped.ipynb": ["g_loss_values", "losses_stability", "loss_grads",
                                  "train_step_values", "mixture_convergence"],
    "no_detach_shared_zero_grad.ipynb": ["train_step_values"],
    "generator_step_with_stale_discriminator.ipynb": ["train_step_values", "mixture_convergence"],
    "discriminator_sigmoid_output.ipynb": ["modules", "train_step_values"],
    "discriminator_keeps_last_dim.ipynb": ["modules"],
    "discriminator_never_stepped.ipynb": ["train_step_values", "mixture_convergence"],
}
ALTERNATIVES = ["alt_correct_logsigmoid_float64.ipynb", "alt_correct_manual_softplus_sequential.ipynb"]
# forgery -> its honest twin: the convergence test is fed (five mixtures with a secret centre and
# secret weights, probes.mixture_task), so a generator set by hand to the mixture the exercise
# shows, without training, scores what the untrained generator scores.
FORGERIES = {"public_mixture_by_hand.ipynb": "untrained_honest.ipynb"}


@pytest.fixture(scope="module")
def graded_buggy(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, *FORGERIES, *FORGERIES.values()], SEEDS[0])


@pytest.fixture(scope="module", params=SEEDS)
def graded_alternatives(request, graded_buggy, fixtures, tmp_path_factory, fixture_grader):
    if request.param == SEEDS[0]:
        return graded_buggy
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC, ALTERNATIVES,
                          request.param)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded_buggy, name, expect):
    expect.fails_targets(graded_buggy[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ["naive_log_sigmoid.ipynb",
                                  "generator_trained_with_saturating_loss.ipynb"])
def test_a_local_bug_loses_only_its_own_tests(graded_buggy, name):
    failed = {t.id for t in graded_buggy[name].tests if t.status != "passed"}
    assert failed == set(BUGGY[name]), failed


def test_convergence_is_measured_on_the_trusted_side(graded_buggy):
    test = next(t for t in graded_buggy["discriminator_never_stepped.ipynb"].tests
                if t.id == "mixture_convergence")
    assert "Wasserstein-1" in test.output
    ok = next(t for t in graded_buggy["alt_correct_logsigmoid_float64.ipynb"].tests
              if t.id == "mixture_convergence")
    assert ok.details["value"] <= 0.38 and ok.details["reference_value"] <= 0.38


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded_alternatives, name, expect):
    expect.full_marks(graded_alternatives[name])


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_scores_what_its_honest_twin_scores(graded_buggy, name):
    forged, twin = graded_buggy[name], graded_buggy[FORGERIES[name]]
    assert {t.id: t.score for t in forged.tests} == {t.id: t.score for t in twin.tests}
    assert {t.id: t.status for t in twin.tests}["mixture_convergence"] == "failed"
    assert forged.score < forged.max_score


def _by_hand(x):
    """A Generator's weights set by hand to the two-mode mixture whose samples are ``x`` (its
    centre and left weight estimated from them): c + 1.5 sign(z0 - t) + 0.5 z1."""
    import numpy as np
    from statistics import NormalDist

    c = float(np.mean(x))
    for _ in range(20):  # 1-D two-means: the centre between the modes
        c = (np.mean(x[x < c]) + np.mean(x[x >= c])) / 2
    k, t = 50.0, NormalDist().inv_cdf(float(np.mean(x < c)))
    W1, b1 = np.zeros((32, 4)), np.zeros(32)
    W1[0:4, 0] = [k, k, -k, -k]
    b1[0:4] = [-k * t, -k * t - 1, k * t, k * t - 1]
    W1[4, 1], W1[5, 1] = 1.0, -1.0
    W2 = np.zeros((32, 32))
    W2[:6, :6] = np.eye(6)
    Wo = np.zeros((1, 32))
    Wo[0, :6] = [1.5, -1.5, -1.5, 1.5, 0.5, -0.5]
    return {"param.fc1.weight": W1, "param.fc1.bias": b1, "param.fc2.weight": W2,
            "param.fc2.bias": np.zeros(32), "param.out.weight": Wo, "param.out.bias": np.full(1, c)}


def test_fed_task_and_the_most_of_five_rule():
    # Trusted side only: what the feed sends and keeps; the verdict's rule (3 of the 5 data sets
    # within the target) on generators set by hand; malformed weights are the student's failure
    # with a message, never a grader error.
    import importlib.util

    import numpy as np

    from autograder.topics import get_topic
    from autograder.verdict import load_verdicts

    topic = get_topic(TOPIC)
    spec = importlib.util.spec_from_file_location("p14", topic.reference_dir / "probes.py")
    probes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probes)
    task = probes.mixture_task(np.random.default_rng(5))
    assert set(task) == {"X", "seed", "_real", "_z"}
    assert task["X"].shape == (5, 2000, 1) and task["seed"].shape == (5,)
    assert task["_real"].shape == (5, 4000) and task["_z"].shape == (5, 4000, 4)
    verdicts = load_verdicts(topic)
    test = next(t for t in topic.tests if t.id == "mixture_convergence")
    held = {"real": task["_real"], "z": task["_z"]}
    fit = [_by_hand(task["X"][k, :, 0]) for k in range(5)]
    public = _by_hand(np.concatenate([np.full(500, -1.5), np.full(500, 1.5)]))  # the shown mixture

    def runs(gens):  # what probes.mixture_convergence returns: per run a flat vector and shapes
        out = {"curves": np.zeros((len(gens), 3))}
        for k, g in enumerate(gens):
            order = [g.get(f"param.{name}") for name in probes.G_ORDER]
            out[f"run{k}.weights"] = np.concatenate([np.ravel(v) for v in order if v is not None])
            shapes = np.full((6, 5), -1, dtype=np.int64)
            for i, v in enumerate(order):
                if v is not None:
                    shapes[i, :1 + v.ndim] = (v.ndim, *v.shape)
            out[f"run{k}.shapes"] = shapes
        return out

    kw = dict(ref=runs(fit), test=test, seed=5, held_out=held)
    v = verdicts.w1_target(sub=runs(fit), **kw)
    assert v.passed and max(v.details["values"]) < 0.2, v.details["values"]
    v = verdicts.w1_target(sub=runs([public] * 5), **kw)
    assert not v.passed and "at least 3 of 5" in v.message, v.message
    assert verdicts.w1_target(sub=runs(fit[:3] + [public] * 2), **kw).passed
    assert not verdicts.w1_target(sub=runs(fit[:2] + [public] * 3), **kw).passed
    nan = {k: v * np.nan for k, v in fit[0].items()}
    v = verdicts.w1_target(sub=runs([nan] * 3 + fit[3:]), **kw)
    assert not v.passed and "NaN/Inf" in v.message, v.message
    short = {**fit[2], "param.fc2.weight": fit[2]["param.fc2.weight"][:, :-1]}
    v = verdicts.w1_target(sub=runs(fit[:2] + [short] + fit[3:]), **kw)
    assert not v.passed and "data set 3 of 5" in v.message and "(32, 32)" in v.message, v.message
    missing = {k: v for k, v in fit[4].items() if k != "param.fc1.bias"}
    v = verdicts.w1_target(sub=runs(fit[:4] + [missing]), **kw)
    assert not v.passed and "data set 5 of 5" in v.message and "'fc1.bias'" in v.message, v.message
    text = {**runs(fit), "run1.weights": np.array(["0.0"] * 1249)}
    v = verdicts.w1_target(sub=text, **kw)
    assert not v.passed and "data set 2 of 5" in v.message and "expected floats" in v.message, v.message
    huge = runs(fit)
    huge["run0.shapes"][0, :3] = (2, 10**6, 10**6)
    v = verdicts.w1_target(sub=huge, **kw)
    assert not v.passed and "shape (1000000, 1000000), expected (32, 4)" in v.message, v.message
    v = verdicts.w1_target(sub={"curves": np.array(["x"])}, **kw)
    assert not v.passed and "no trained Generator came back" in v.message, v.message
    both = {**runs(fit), "run3.shapes": np.zeros((2, 2))}
    v = verdicts.w1_target(sub=both, **kw)
    assert not v.passed and "unreadable" in v.message, v.message
