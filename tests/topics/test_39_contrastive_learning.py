"""Topic 39 fixtures, graded in the process sandbox: each plausible bug loses the tests that target
it, and correct submissions written differently (float64 with log_softmax and a dropped diagonal;
float32 with Python loops) keep full marks under two seeds. (Offline, the same outcomes held for
every one of 10 seeds for the bugs and 20 seeds for the alternatives; see the issue's note.)"""
import pytest

pytestmark = pytest.mark.slow  # about 60-120 s: 13 notebooks through the sandbox (torch import in each)

TOPIC = "39_contrastive_learning"
SEEDS = (3901, 77)
VALUES = ["info_nce_values", "info_nce_grad", "nt_xent_values", "nt_xent_grad"]
# fixture -> the tests it must fail
BUGGY = {
    "temperature_multiplied.ipynb": VALUES + ["info_nce_stability", "nt_xent_stability",
                                              "half_precision"],
    "self_similarity_not_masked.ipynb": ["nt_xent_values", "nt_xent_grad", "nt_xent_stability",
                                         "half_precision"],
    "diagonal_removed_positive_off_by_one.ipynb": ["nt_xent_values", "nt_xent_grad",
                                                   "nt_xent_stability", "half_precision"],
    "naive_softmax_overflow.ipynb": ["info_nce_stability", "nt_xent_stability", "half_precision"],
    "normalised_wrong_dim.ipynb": ["cosine_values"] + VALUES,
    "in_place_normalisation.ipynb": ["contracts", "info_nce_grad", "nt_xent_grad"],
    "loss_returned_as_float.ipynb": ["contracts", "info_nce_grad", "nt_xent_grad", "half_precision"],
    "info_nce_keys_as_rows.ipynb": ["info_nce_values", "info_nce_grad", "info_nce_stability"],
    "info_nce_sum_not_mean.ipynb": ["info_nce_values", "info_nce_grad", "info_nce_stability"],
}
ALTERNATIVES = ["alt_correct_float64_log_softmax.ipynb", "alt_correct_float32_row_loop.ipynb"]


@pytest.fixture(scope="module")
def graded_buggy(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEEDS[0])


@pytest.fixture(scope="module", params=SEEDS)
def graded_alternatives(request, graded_buggy, fixtures, tmp_path_factory, fixture_grader):
    if request.param == SEEDS[0]:
        return graded_buggy
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC, ALTERNATIVES,
                          request.param)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded_buggy, name, expect):
    expect.fails_targets(graded_buggy[name], name, BUGGY[name])


def test_naive_softmax_keeps_the_ordinary_values(graded_buggy):
    status = {t.id: t.status for t in graded_buggy["naive_softmax_overflow.ipynb"].tests}
    assert all(status[t] == "passed" for t in ["cosine_values", "contracts", *VALUES]), status


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded_alternatives, name, expect):
    expect.full_marks(graded_alternatives[name])


def test_forbidden_cross_entropy_is_caught(tmp_path):
    from autograder.checks.forbidden import scan
    from autograder.topics import get_topic

    src = "import torch.nn.functional as F\ndef info_nce(q, k, temperature=0.1):\n    return F.cross_entropy(q @ k.T, None)\n"
    findings = scan([(1, src)], get_topic(TOPIC).forbidden)
    assert [f.api for f in findings] == ["torch.nn.functional.cross_entropy"]
