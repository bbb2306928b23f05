"""Topic 15 fixtures. Graded once each in the process sandbox: every plausible bug loses the tests
that target it, the per-head loop is correct but loses the speed points, the ready-made encoder
layer and an attention module reached by a computed name score zero, and two correct variants
(float64 scores with a loop-built encoding, einsum with an additive mask) get full marks.
In-process over many seeds (fast): the alternatives pass every value, shape and gradient test on
20 seeds, and each bug fails its targets on every seed tried."""
import pytest

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.topics import get_topic

from .inprocess import passed_tests

SEED = 1501
TOPIC = "15_transformer"
VALUE_TESTS = ["pe_values", "block_shapes", "attention_values", "encoder_values", "decoder_values",
               "encoder_grad", "decoder_grad"]
ALL_BLOCKS = ["encoder_values", "decoder_values", "encoder_grad", "decoder_grad"]
# fixture -> the tests it must fail
BUGGY = {
    "post_ln.ipynb": ALL_BLOCKS,
    "causal_off_by_one.ipynb": ["attention_values", "decoder_values", "decoder_grad"],
    "decoder_not_causal.ipynb": ["decoder_values", "decoder_grad"],
    "pe_sin_cos_swapped.ipynb": ["pe_values"],
    "pe_concatenated.ipynb": ["pe_values"],
    "padding_mask_inverted.ipynb": ["attention_values", *ALL_BLOCKS],
    "scaled_by_d_model.ipynb": ["attention_values", *ALL_BLOCKS],
    "memory_normalised.ipynb": ["decoder_values", "decoder_grad"],
    "head_loop.ipynb": ["encoder_speed"],
}
ALTERNATIVES = ["alt_correct_float64.ipynb", "alt_correct_einsum.ipynb"]
FORBIDDEN = ["forbidden_encoder_layer.ipynb", "forbidden_attention_by_computed_name.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, *FORBIDDEN], SEED)


@pytest.mark.slow  # about 10 s per notebook (torch import in each sandbox)
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.slow
def test_head_loop_is_correct_but_slow(graded):
    status = {t.id: t.status for t in graded["head_loop.ipynb"].tests}
    assert all(status[t] == "passed" for t in VALUE_TESTS), status
    assert status["encoder_speed"] == "failed"


@pytest.mark.slow
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name):
    report = graded[name]
    failed = {t.id: t.output for t in report.tests if t.status not in ("passed", "not_run")}
    assert not failed, failed
    assert {t.id for t in report.tests if t.status == "not_run"} <= {"encoder_speed_cuda"}


@pytest.mark.slow
def test_gpu_speed_test_is_not_run_without_gpu(graded):
    from autograder.checks.speed import cuda_available

    if cuda_available():
        pytest.skip("this host has a GPU")
    report = graded["alt_correct_einsum.ipynb"]
    assert {t.id: t.status for t in report.tests}["encoder_speed_cuda"] == "not_run"
    assert report.not_run_points == 1


@pytest.mark.slow
def test_ready_made_encoder_layer_scores_zero(graded, fixtures):
    sub = load_submission(fixtures / TOPIC / "forbidden_encoder_layer.ipynb")
    findings = scan([(c.index, c.source) for c in sub.cells], get_topic(TOPIC).forbidden)
    assert [f.api for f in findings] == ["torch.nn.TransformerEncoderLayer"], findings
    assert graded["forbidden_encoder_layer.ipynb"].score == 0


@pytest.mark.slow
def test_attention_module_by_computed_name_is_caught_at_run_time(graded):
    report = graded["forbidden_attention_by_computed_name.ipynb"]
    assert report.score == 0
    # Reached as torch.nn.modules.activation.MultiheadAttention: the guard wraps that binding too.
    assert any("called forbidden torch.nn.MultiheadAttention" in t.output
               for t in report.tests), [t.output for t in report.tests]


def test_forbidden_names_resolve_through_aliases():
    src = ("import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
           "a = nn.TransformerDecoderLayer(8, 2)\nb = F.scaled_dot_product_attention\n")
    apis = [f.api for f in scan([(1, src)], get_topic(TOPIC).forbidden)]
    assert apis == ["torch.nn.TransformerDecoderLayer",
                    "torch.nn.functional.scaled_dot_product_attention"], apis


@pytest.mark.slow  # about 40 s: the gradient probes run finite-difference diagnostics
def test_alternatives_pass_on_twenty_seeds(fixtures):
    results = passed_tests(TOPIC, [fixtures / TOPIC / n for n in ALTERNATIVES], range(20))
    for name, per_test in results.items():
        failing = {t: ok.count(False) for t, ok in per_test.items() if not all(ok)}
        assert not failing, f"{name} failed (test: seeds) {failing}"


@pytest.mark.slow
def test_bugs_fail_their_targets_on_every_seed(fixtures):
    names = [n for n, targets in BUGGY.items() if set(targets) & set(VALUE_TESTS)]
    results = passed_tests(TOPIC, [fixtures / TOPIC / n for n in names], range(100, 104))
    for name in names:
        for test_id in BUGGY[name]:
            assert not any(results[name][test_id]), (name, test_id, results[name][test_id])
