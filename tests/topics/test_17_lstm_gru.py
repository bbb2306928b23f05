"""Topic 17 fixtures: each plausible bug loses points on the test that targets it, and a correct
submission written differently (float32 throughout) gets full marks (process sandbox)."""
import pytest

pytestmark = pytest.mark.slow  # about 30 s: six notebooks through the process sandbox

SEED = 1717
TOPIC = "17_lstm_gru"
# fixture -> the tests it must fail
BUGGY = {
    "gru_swapped_rz.ipynb": ["gru_cell_forward", "gru_sequence"],
    "lstm_forget_no_bias.ipynb": ["lstm_cell_forward", "lstm_gate_blocks", "lstm_sequence"],
    "lstm_gate_order_ifgo.ipynb": ["lstm_cell_forward", "lstm_gate_blocks", "lstm_sequence",
                                   "lstm_cell_backward"],
    "lstm_bptt_no_cell_carry.ipynb": ["lstm_sequence_backward"],
}
# fixture -> tests it must still pass (the bug is local)
STILL_PASSES = {
    "gru_swapped_rz.ipynb": ["lstm_cell_forward", "lstm_cell_backward", "shapes"],
    "lstm_forget_no_bias.ipynb": ["gru_cell_forward", "shapes"],
    "lstm_gate_order_ifgo.ipynb": ["gru_sequence", "shapes"],
    "lstm_bptt_no_cell_carry.ipynb": ["lstm_sequence", "lstm_cell_backward"],
}
ALTERNATIVES = ["alt_correct_float32.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name):
    report = graded[name]
    status = {t.id: t.status for t in report.tests}
    assert report.grader_errors == 0
    for test_id in BUGGY[name]:
        assert status[test_id] == "failed", f"{name} should fail {test_id}: {status}"
    for test_id in STILL_PASSES[name]:
        assert status[test_id] == "passed", f"{name} should still pass {test_id}: {status}"
    assert report.score < report.max_score


def test_consistent_wrong_gate_order_is_diagnosed_as_a_forward_bug(graded):
    # Forward and backward agree with each other but not with the documented layout.
    out = {t.id: t.output for t in graded["lstm_gate_order_ifgo.ipynb"].tests}["lstm_cell_backward"]
    assert "look at the forward" in out, out


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])
