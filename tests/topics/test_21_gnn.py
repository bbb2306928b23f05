"""Topic 21 fixtures. Graded once each in the process sandbox: every plausible bug loses the tests
that target it, the loop over edges is correct but loses the speed points, a graph library scores
zero, and two correct variants (float64 inside, sparse/einsum/index_reduce) get full marks.
In-process over many seeds (fast): the alternatives pass every value, shape and gradient test on
20 seeds, and each bug fails its targets on every seed tried."""
import pytest

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.topics import get_topic

from .inprocess import passed_tests

SEED = 2101
TOPIC = "21_gnn"
VALUE_TESTS = ["adjacency_values", "gcn_shapes", "gcn_values", "gcn_grad", "aggregate_values",
               "aggregate_grad"]
# fixture -> the tests it must fail
BUGGY = {
    "row_normalised.ipynb": ["adjacency_values", "gcn_values", "gcn_grad"],  # D^-1 A
    "no_self_loops.ipynb": ["adjacency_values", "gcn_values", "gcn_grad"],
    "adjacency_transposed.ipynb": ["adjacency_values", "gcn_values", "gcn_grad"],  # A[j, i]
    "multi_edges_collapsed.ipynb": ["adjacency_values", "gcn_values", "gcn_grad"],
    "isolated_gives_inf.ipynb": ["adjacency_values", "gcn_values"],  # 0 ** -0.5 = inf
    "bias_before_propagation.ipynb": ["gcn_values", "gcn_grad"],
    "messages_to_source.ipynb": ["aggregate_values", "aggregate_grad"],
    "max_includes_zero.ipynb": ["aggregate_values", "aggregate_grad"],  # include_self=True
    "mean_nan_without_edges.ipynb": ["aggregate_values"],  # 0 / 0
    "edge_loop.ipynb": ["aggregate_speed"],
}
ALTERNATIVES = ["alt_correct_float64.ipynb", "alt_correct_sparse_einsum.ipynb"]
FORBIDDEN = "forbidden_torch_scatter.ipynb"


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, FORBIDDEN], SEED)


@pytest.mark.slow  # about 10 s per notebook (torch import in each sandbox), 20 s for the loop
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.slow
def test_edge_loop_is_correct_but_slow(graded):
    status = {t.id: t.status for t in graded["edge_loop.ipynb"].tests}
    assert all(status[t] == "passed" for t in VALUE_TESTS), status
    assert status["aggregate_speed"] == "failed"
    assert status["aggregate_speed_cuda"] in ("not_run", "failed")


@pytest.mark.slow
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name):
    report = graded[name]
    failed = {t.id: t.output for t in report.tests if t.status not in ("passed", "not_run")}
    assert not failed, failed
    assert {t.id for t in report.tests if t.status == "not_run"} <= {"aggregate_speed_cuda"}


@pytest.mark.slow
def test_gpu_speed_test_is_not_run_without_gpu(graded):
    from autograder.checks.speed import cuda_available

    if cuda_available():
        pytest.skip("this host has a GPU")
    report = graded["alt_correct_float64.ipynb"]
    status = {t.id: t.status for t in report.tests}
    assert status["aggregate_speed_cuda"] == "not_run"
    assert report.not_run_points == 1


@pytest.mark.slow
def test_graph_library_scores_zero(graded, fixtures):
    findings = scan([(c.index, c.source) for c in load_submission(
        fixtures / TOPIC / FORBIDDEN).cells], get_topic(TOPIC).forbidden)
    assert [f.api for f in findings] == ["torch_scatter.scatter"], findings
    report = graded[FORBIDDEN]
    assert report.score == 0
    assert all("torch_scatter" in t.output for t in report.tests if t.status == "failed")


def test_ready_made_layers_are_forbidden():
    src = ("import torch_geometric.nn as gnn\nfrom torch_geometric.utils import scatter\n"
           "import dgl\n")
    apis = [f.api for f in scan([(1, src)], get_topic(TOPIC).forbidden)]
    assert apis == ["torch_geometric.nn", "torch_geometric.utils.scatter", "dgl"], apis


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
