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


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    out = tmp_path_factory.mktemp(TOPIC)
    first = fixture_grader(fixtures / TOPIC, out / "a", TOPIC, [*BUGGY, *ALTERNATIVES], SEEDS[0])
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


def test_heldout_verdict_scores_against_regenerated_clean_digits():
    # Trusted side only: the clean held-out digits come from the seed, not from the sandbox.
    import numpy as np

    from autograder.runtime.harness import probe_rng
    from autograder.topics import get_topic
    from autograder.verdict import load_verdicts

    topic = get_topic(TOPIC)
    test = next(t for t in topic.tests if t.id == "digits_convergence")
    verdicts = load_verdicts(topic)
    rng = probe_rng(7, test.id)
    _, clean = verdicts._probes().digits_split(rng)
    noisy = np.clip(clean + 0.3 * rng.standard_normal(clean.shape), 0, 1)
    ref = {"recon": clean, "curve": np.ones(3)}
    assert verdicts.heldout_mse(ref=ref, sub={"recon": clean}, test=test, seed=7).passed
    assert not verdicts.heldout_mse(ref=ref, sub={"recon": noisy}, test=test, seed=7).passed
    assert not verdicts.heldout_mse(ref=ref, sub={"recon": clean[:-1]}, test=test, seed=7).passed
    assert not verdicts.heldout_mse(ref=ref, sub={"recon": clean * np.nan}, test=test, seed=7).passed
