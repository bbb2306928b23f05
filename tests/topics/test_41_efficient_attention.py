"""Topic 41 fixtures, graded in the process sandbox with a fixed seed: each plausible bug loses
points on the test that targets it; the per-row loop is correct but loses the speed points; the
exact (full score matrix) answer is correct but loses the memory points; a correct float32 variant
gets full marks. Graded one after another so that the CPU speed test is not skewed."""
import pytest


pytestmark = pytest.mark.slow  # about 10 s per notebook (torch import in each sandbox)

SEED = 4101
TOPIC = "41_efficient_attention"
VALUE_TESTS = ["feature_map_values", "feature_map_gradcheck", "linear_attention_values",
               "linear_attention_grad", "flash_values", "flash_grad"]
# fixture -> the tests it must fail
BUGGY = {
    "no_rescale.ipynb": ["flash_values", "flash_grad", "flash_memory"],
    "causal_leak.ipynb": ["linear_attention_values", "linear_attention_grad"],
    "backward_without_chain_rule.ipynb": ["feature_map_gradcheck", "linear_attention_grad"],
    "full_score_matrix.ipynb": ["flash_memory"],
    "per_row_loop.ipynb": ["flash_speed"],
    "flash_returns_float64.ipynb": ["flash_values"],
    "linear_attention_ignores_eps.ipynb": ["linear_attention_values"],
}
ALTERNATIVES = ["alt_correct_float32.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    # jobs=1: one notebook at a time, so that the CPU speed test is not skewed
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED, jobs=1)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name, lost", [("per_row_loop.ipynb", "flash_speed"),
                                        ("full_score_matrix.ipynb", "flash_memory")])
def test_correct_but_inefficient_keeps_value_points(graded, name, lost):
    status = {t.id: t.status for t in graded[name].tests}
    assert all(status[t] == "passed" for t in VALUE_TESTS), status
    assert status[lost] == "failed"


def test_memory_message_names_the_score_matrix(graded):
    test = next(t for t in graded["full_score_matrix.ipynb"].tests if t.id == "flash_memory")
    assert "N x N" in test.output and test.details["peak_mb"] > 64


def test_gradcheck_failure_is_an_observation(graded):
    test = next(t for t in graded["backward_without_chain_rule.ipynb"].tests
                if t.id == "feature_map_gradcheck")
    assert test.output.startswith("autograd_gradcheck")


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])
    assert {t.id for t in graded[name].tests if t.status == "not_run"} <= {"flash_memory_cuda",
                                                                          "flash_speed_cuda"}
