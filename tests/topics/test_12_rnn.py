"""Topic 12 fixtures: each plausible bug loses points on the test that targets it, and a correct
submission written differently (float32 throughout) gets full marks (process sandbox)."""
import pytest

pytestmark = pytest.mark.slow  # about 30 s: five notebooks through the process sandbox

SEED = 1212
TOPIC = "12_rnn"
# fixture -> the tests it must fail
BUGGY = {'bptt_no_carry.ipynb': ['bptt', 'bptt_last_step_only'], 'clip_per_tensor.ipynb': ['clip_grad_norm'], 'transposed_dWh.ipynb': ['step_backward', 'bptt'], 'clip_in_place.ipynb': ['clip_grad_norm']}
# fixture -> tests it must still pass (the bug is local)
STILL_PASSES = {
    "bptt_no_carry.ipynb": ["step_forward", "sequence_forward", "step_backward"],
    "clip_per_tensor.ipynb": ["bptt"],
    "transposed_dWh.ipynb": ["sequence_forward", "backward_shapes"],
}
ALTERNATIVES = ['alt_correct_float32.ipynb']


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
    for test_id in STILL_PASSES.get(name, []):
        assert status[test_id] == "passed", f"{name} should still pass {test_id}: {status}"
    assert report.score < report.max_score


def test_transposed_gradient_is_diagnosed_as_a_backward_bug(graded):
    out = {t.id: t.output for t in graded["transposed_dWh.ipynb"].tests}["step_backward"]
    assert "dWh" in out and "look at the backward" in out, out


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])
