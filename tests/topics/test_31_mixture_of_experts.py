"""Topic 31 fixtures. Graded once each in the process sandbox: every plausible bug loses the tests
that target it, the loop over tokens is correct but loses the speed points, and two correct
variants (float64 with batched per-assignment matmuls and a sort-based capacity, dense einsum over
all experts with a combine matrix) get full marks. In-process over many seeds (fast): the
alternatives pass every value and gradient test on 20 seeds, and each bug fails its targets on
every seed tried."""
import pytest

from .inprocess import passed_tests

SEED = 3101
TOPIC = "31_mixture_of_experts"
VALUE_TESTS = ["routing_values", "routing_grad", "balance_values", "balance_grad", "moe_values",
               "moe_grad"]
# fixture -> the tests it must fail
BUGGY = {
    "softmax_over_all_experts.ipynb": ["routing_values", "routing_grad", "moe_values", "moe_grad"],
    "dropped_not_zeroed.ipynb": ["moe_values", "moe_grad"],
    "capacity_floor.ipynb": ["moe_values"],
    "token_major_priority.ipynb": ["moe_values", "moe_grad"],
    "gates_renormalised_after_drop.ipynb": ["moe_values", "moe_grad"],
    "balance_share_per_token.ipynb": ["balance_values", "balance_grad", "moe_values", "moe_grad"],
    "balance_probs_from_gates.ipynb": ["balance_values", "balance_grad", "moe_values", "moe_grad"],
    "token_loop.ipynb": ["moe_speed"],
}
ALTERNATIVES = ["alt_correct_float64_batched.ipynb", "alt_correct_dense_einsum.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED)


@pytest.mark.slow  # about 10 s per notebook on an idle host (torch import in each sandbox)
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.slow
def test_token_loop_is_correct_but_slow(graded):
    status = {t.id: t.status for t in graded["token_loop.ipynb"].tests}
    assert all(status[t] == "passed" for t in VALUE_TESTS), status
    assert status["moe_speed"] == "failed"


@pytest.mark.slow
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name):
    report = graded[name]
    failed = {t.id: t.output for t in report.tests if t.status not in ("passed", "not_run")}
    assert not failed, failed
    assert {t.id for t in report.tests if t.status == "not_run"} <= {"moe_speed_cuda"}


@pytest.mark.slow
def test_gpu_speed_test_is_not_run_without_gpu(graded):
    from autograder.checks.speed import cuda_available

    if cuda_available():
        pytest.skip("this host has a GPU")
    report = graded["alt_correct_dense_einsum.ipynb"]
    assert {t.id: t.status for t in report.tests}["moe_speed_cuda"] == "not_run"
    assert report.not_run_points == 1


def test_alternatives_pass_on_twenty_seeds(fixtures):
    results = passed_tests(TOPIC, [fixtures / TOPIC / n for n in ALTERNATIVES], range(20))
    for name, per_test in results.items():
        failing = {t: ok.count(False) for t, ok in per_test.items() if not all(ok)}
        assert not failing, f"{name} failed (test: seeds) {failing}"


def test_bugs_fail_their_targets_on_every_seed(fixtures):
    names = [n for n, targets in BUGGY.items() if set(targets) & set(VALUE_TESTS)]
    results = passed_tests(TOPIC, [fixtures / TOPIC / n for n in names], range(100, 106))
    for name in names:
        for test_id in BUGGY[name]:
            assert not any(results[name][test_id]), (name, test_id, results[name][test_id])
