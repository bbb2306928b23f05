"""Topic 13 fixtures, graded in the process sandbox: each plausible bug loses points on the tests
that target it, and correct submissions written differently (float64 inside; addmm, torch.where
clamping, F.mse_loss and torch.split batches) get full marks. The bugs whose loss depends on the
data (training) are graded at a second seed too."""
import pytest

pytestmark = pytest.mark.slow  # about 15 s CPU per notebook: torch and torch._dynamo imports, training

SEEDS = (1301, 1302)
TOPIC = "13_autoencoder"
# fixture -> the tests it must fail
BUGGY = {
    "relu_on_code.ipynb": ["ae_values", "loss_values", "loss_grad"],
    "no_sigmoid.ipynb": ["ae_values", "loss_values", "loss_grad"],
    "noise_on_target.ipynb": ["loss_values", "loss_grad", "digits_convergence"],
    "no_clamp.ipynb": ["noise_values", "loss_values", "loss_grad"],
    "noise_in_place.ipynb": ["noise_values", "loss_values"],
    "sum_loss.ipynb": ["loss_values", "loss_grad"],
    "no_zero_grad.ipynb": ["digits_convergence"],
    "ignores_n_hidden.ipynb": ["train_contract"],
}
SECOND_SEED = ["noise_on_target.ipynb", "no_zero_grad.ipynb"]  # outcome depends on the training run
ALTERNATIVES = ["alt_correct_float64.ipynb", "alt_correct_functional.ipynb"]
# forgery -> its honest twin: the convergence test is fed (the held-out digits never reach the
# sandbox) and scores the returned weights with the reference's Autoencoder, so a forward that
# answers a batch of digits with the nearest clean digit of scikit-learn's copy, over an untrained
# model, scores what the untrained model scores.
FORGERIES = {"lookup_forward_untrained.ipynb": "untrained_honest.ipynb"}


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    out = tmp_path_factory.mktemp(TOPIC)
    first = fixture_grader(fixtures / TOPIC, out / "a", TOPIC, [*BUGGY, *ALTERNATIVES, *FORGERIES, *FORGERIES.values()], SEEDS[0])
    second = fixture_grader(fixtures / TOPIC, out / "b", TOPIC, SECOND_SEED, SEEDS[1])
    return {SEEDS[0]: first, SEEDS[1]: second}


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[SEEDS[0]][name], name, BUGGY[name])


@pytest.mark.parametrize("name", SECOND_SEED)
def test_training_bug_fails_at_another_seed(graded, name, expect):
    expect.fails_targets(graded[SEEDS[1]][name], name, BUGGY[name])


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[SEEDS[0]][name])


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_scores_what_its_honest_twin_scores(graded, name):
    forged, twin = graded[SEEDS[0]][name], graded[SEEDS[0]][FORGERIES[name]]
    assert {t.id: t.score for t in forged.tests} == {t.id: t.score for t in twin.tests}
    assert {t.id: t.status for t in twin.tests}["digits_convergence"] == "failed"
    assert forged.score < forged.max_score


def test_heldout_verdict_runs_the_returned_weights_through_the_reference():
    # Trusted side only: the feed's held-out digits, the reference's module, weights as returned.
    import numpy as np
    import torch

    from autograder.topics import get_topic
    from autograder.verdict import load_verdicts

    topic = get_topic(TOPIC)
    test = next(t for t in topic.tests if t.id == "digits_convergence")
    verdicts = load_verdicts(topic)
    import importlib.util
    spec = importlib.util.spec_from_file_location("p13", topic.reference_dir / "probes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    task = mod.digits_task(np.random.default_rng(7))
    assert set(task) == {"X", "seed", "_clean", "_noisy"} and task["X"].shape == (1200, 64)
    held = {"clean": task["_clean"], "noisy": task["_noisy"]}
    model, _ = verdicts._reference().train_autoencoder(torch.tensor(task["X"], dtype=torch.float32),
                                                       noise_std=0.3, epochs=40, seed=int(task["seed"]))
    trained = {f"param.{k}": v.double().numpy() for k, v in model.state_dict().items()}
    untrained = {f"param.{k}": v.double().numpy()
                 for k, v in verdicts._reference().Autoencoder().state_dict().items()}
    ref = {**trained, "curve": np.ones(3)}
    kw = dict(ref=ref, test=test, seed=7, held_out=held)
    assert verdicts.heldout_mse(sub=trained, **kw).passed
    assert not verdicts.heldout_mse(sub=untrained, **kw).passed
    short = {**trained, "param.enc1.weight": trained["param.enc1.weight"][:, :-1]}
    v = verdicts.heldout_mse(sub=short, **kw)
    assert not v.passed and "enc1.weight" in v.message and "(32, 64)" in v.message
    missing = {k: v for k, v in trained.items() if k != "param.dec2.bias"}
    assert not verdicts.heldout_mse(sub=missing, **kw).passed
    assert not verdicts.heldout_mse(sub={k: v * np.nan for k, v in trained.items()}, **kw).passed
