"""Topic 22 fixtures, graded in the process sandbox with a fixed seed: each plausible bug loses
points on the test that targets it, the per-head loop is correct but loses the speed points, a use
of the forbidden fused attention scores zero, and a correct float64 variant gets full marks.
Graded one after another (not in parallel) so that the CPU speed test is not skewed."""
import pytest

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.topics import get_topic

pytestmark = pytest.mark.slow  # about 10 s per notebook (torch import in each sandbox)

SEED = 2207
TOPIC = "22_attention"
VALUE_TESTS = ["sdpa_values", "sdpa_masks", "sdpa_causal", "sdpa_grad", "mha_shapes", "mha_values",
               "mha_grad"]
# fixture -> the tests it must fail
BUGGY = {
    "no_scale.ipynb": ["sdpa_values", "sdpa_masks", "sdpa_grad", "mha_values"],
    "softmax_wrong_axis.ipynb": ["sdpa_values", "sdpa_masks", "mha_values"],
    "mask_after_softmax.ipynb": ["sdpa_masks", "sdpa_causal", "sdpa_grad", "mha_values"],
    "heads_merged_wrong_order.ipynb": ["mha_values", "mha_grad"],
    "per_head_loop.ipynb": ["mha_speed"],
    "causal_mask_from_one_length.ipynb": ["sdpa_causal"],
}
ALTERNATIVES = ["alt_correct_float64.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    # jobs=1: one notebook at a time, so that the CPU speed test is not skewed
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, "forbidden_sdpa.ipynb", "forbidden_sdpa_dynamic.ipynb",
                           "forbidden_aten_sdpa.ipynb"], SEED, jobs=1)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


def test_per_head_loop_is_correct_but_slow(graded):
    status = {t.id: t.status for t in graded["per_head_loop.ipynb"].tests}
    assert all(status[t] == "passed" for t in VALUE_TESTS), status
    assert status["mha_speed"] == "failed"


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


def test_gpu_speed_test_is_not_run_without_gpu(graded):
    from autograder.checks.speed import cuda_available

    if cuda_available():
        pytest.skip("this host has a GPU")
    report = graded["alt_correct_float64.ipynb"]
    status = {t.id: t.status for t in report.tests}
    assert status["mha_speed_cuda"] == "not_run"
    assert report.not_run_points == 1


def test_forbidden_alias_is_caught_statically_and_at_run_time(graded, fixtures):
    topic = get_topic(TOPIC)
    sub = load_submission(fixtures / TOPIC / "forbidden_sdpa.ipynb")
    findings = scan([(c.index, c.source) for c in sub.cells], topic.forbidden)
    assert any(f.api == "torch.nn.functional.scaled_dot_product_attention" for f in findings), findings
    report = graded["forbidden_sdpa.ipynb"]
    assert report.score == 0
    assert any("scaled_dot_product_attention" in t.output for t in report.tests)


def test_forbidden_module_class_alias():
    # `from torch import nn` then `nn.MultiheadAttention` resolves to the forbidden dotted name.
    src = "import torch\nfrom torch import nn\nm = nn.MultiheadAttention(8, 2)\n"
    findings = scan([(1, src)], get_topic(TOPIC).forbidden)
    assert [f.api for f in findings] == ["torch.nn.MultiheadAttention"]


def test_forbidden_function_reached_by_computed_name_is_caught_at_run_time(graded):
    from autograder.runtime.harness import _is_function_name

    # torch.nn.functional is a module, not a package: the name is a function the guard wraps.
    assert _is_function_name("torch.nn.functional.scaled_dot_product_attention")
    report = graded["forbidden_sdpa_dynamic.ipynb"]
    assert report.score == 0
    assert any("called forbidden torch.nn.functional.scaled_dot_product_attention" in t.output
               for t in report.tests), [t.output for t in report.tests]


def test_the_dispatchers_own_entry_is_guarded_too(graded):
    # torch.ops.aten.scaled_dot_product_attention reaches the same kernel with no Python alias
    report = graded["forbidden_aten_sdpa.ipynb"]
    assert report.score == 0
    assert any("torch.ops.aten.scaled_dot_product_attention" in t.output for t in report.tests), \
        [t.output for t in report.tests]


def test_the_run_time_guard_blocks_the_dispatchers_entries():
    # The static scan names the attribute above; here the guard alone (in a fresh interpreter:
    # it rewires torch for the rest of the process).
    import subprocess
    import sys

    code = (
        "import torch\n"
        "from autograder.runtime.harness import install_forbidden\n"
        "guard = install_forbidden(get_topic_forbidden, [])\n"
        "q = torch.randn(1, 2, 4, 8)\n"
        "calls = [lambda: torch.ops.aten.scaled_dot_product_attention(q, q, q),\n"
        "         lambda: torch.nn.functional.scaled_dot_product_attention(q, q, q),\n"
        "         lambda: torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q, q, q),\n"
        "         lambda: torch.ops.aten._scaled_dot_product_attention_math(q, q, q)]\n"
        "for call in calls:\n"
        "    try:\n"
        "        call()\n"
        "        print('NOT BLOCKED')\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
        "print('problems', guard.problems())\n"
    ).replace("get_topic_forbidden", repr(list(get_topic(TOPIC).forbidden)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    lines = out.stdout.split("\n")
    assert lines[:4] == ["ForbiddenAPIError"] * 4, (out.stdout, out.stderr[-2000:])
    assert "problems []" in out.stdout
