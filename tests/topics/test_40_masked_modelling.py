"""Topic 40 fixtures. Graded once each in the process sandbox: every plausible bug loses the tests
that target it, and two correct variants (float32 losses with ignore_index and scatter; Python
loops with NumPy) get full marks. In-process over many seeds (fast): the alternatives pass every
test on 20 seeds, and each bug fails its targets on every seed tried."""
import pytest

from .inprocess import passed_tests

SEED = 4001
TOPIC = "40_masked_modelling"
# fixture -> the tests it must fail
BUGGY = {
    "bert_actions_in_wrong_order.ipynb": ["bert_values"],  # 10% random, 10% kept, then [MASK]
    "bert_labels_everywhere.ipynb": ["bert_values"],
    "bert_special_tokens_selected.ipynb": ["bert_values"],
    "bert_labels_from_corrupted.ipynb": ["bert_values"],
    "mlm_loss_over_all_positions.ipynb": ["mlm_loss_values"],
    "mae_keeps_largest_noise.ipynb": ["mae_mask_values", "mae_pipeline_values"],
    "mae_mask_in_shuffled_order.ipynb": ["mae_mask_values", "mae_pipeline_values"],
    "mae_keep_count_rounded.ipynb": ["mae_mask_values"],
    "mae_mask_tokens_first.ipynb": ["mae_unshuffle_values", "mae_pipeline_values"],
    "mae_loss_over_all_patches.ipynb": ["mae_loss_values"],
    "mae_norm_pix_unbiased_variance.ipynb": ["mae_loss_values"],
}
ALTERNATIVES = ["alt_correct_float32.ipynb", "alt_correct_loops_numpy.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED)


@pytest.mark.slow  # about 10 s per notebook on an idle host (torch import in each sandbox)
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


def test_alternatives_pass_on_twenty_seeds(fixtures):
    results = passed_tests(TOPIC, [fixtures / TOPIC / n for n in ALTERNATIVES], range(20))
    for name, per_test in results.items():
        failing = {t: ok.count(False) for t, ok in per_test.items() if not all(ok)}
        assert not failing, f"{name} failed (test: seeds) {failing}"


def test_bugs_fail_their_targets_on_every_seed(fixtures):
    results = passed_tests(TOPIC, [fixtures / TOPIC / n for n in BUGGY], range(100, 106))
    for name, targets in BUGGY.items():
        for test_id in targets:
            assert not any(results[name][test_id]), (name, test_id, results[name][test_id])
