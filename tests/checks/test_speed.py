"""Speed and memory verdicts on what the parent measured (TimedResult), and the frames they travel in."""
import sys
import types

import numpy as np
import pytest

from autograder.checks.speed import (REVIEW_SPEEDUP, cuda_available, timed_memory_verdict,
                                     timed_speed_verdict)
from autograder.runtime import frames
from autograder.sandbox.driver import TimedResult


def _res(cpu_ms, outputs=None, *, error=None, peaks=None, measure="cpu"):
    n = len(cpu_ms)
    outs = outputs if outputs is not None else [{"out": np.full(3, float(k))} for k in range(n)]
    return TimedResult(meter="cgroup v1", warmup=1, calls=n, cpu_s=[t / 1e3 for t in cpu_ms],
                       wall_s=[t / 1e3 for t in cpu_ms], peak_bytes=list(peaks or []),
                       outputs=outs, error=error, measure=measure)


REF = _res([10, 11, 9, 10, 10])


def test_within_factor_passes_and_reports_median_and_spread():
    v = timed_speed_verdict(ref=REF, sub=_res([19, 20, 21, 20, 20]), factor=2.5, rtol=1e-6, atol=0)
    assert v.passed and v.details["ratio"] == pytest.approx(2.0)
    assert v.details["submission"]["iqr_s"] >= 0 and "cgroup" in v.details["clock"]


def test_too_slow_fails_with_a_message_for_students():
    v = timed_speed_verdict(ref=REF, sub=_res([40, 41, 39, 40, 40]), factor=2.5, rtol=1e-6, atol=0)
    assert not v.passed and "too slow" in v.message and "4.0x" in v.message


def test_a_wrong_timed_output_loses_the_speed_point_however_fast():
    outs = [{"out": np.full(3, float(k))} for k in range(5)]
    outs[3] = {"out": np.zeros(3)}
    v = timed_speed_verdict(ref=REF, sub=_res([5] * 5, outs), factor=2.5, rtol=1e-6, atol=0)
    assert not v.passed and "timed call 4" in v.message


def test_missing_outputs_fail():
    v = timed_speed_verdict(ref=REF, sub=_res([5] * 3), factor=2.5, rtol=1e-6, atol=0)
    assert not v.passed and "3 of 5" in v.message


def test_an_error_of_the_submission_fails_and_one_of_the_reference_is_a_grader_error():
    v = timed_speed_verdict(ref=REF, sub=_res([], [], error="the grading protocol was broken"),
                            factor=2.0, rtol=1e-6, atol=0)
    assert not v.passed and "protocol" in v.message
    with pytest.raises(ValueError):
        timed_speed_verdict(ref=_res([], [], error="x"), sub=REF, factor=2.0, rtol=1e-6, atol=0)


def test_huge_speedup_is_credited_but_flagged_for_review():
    v = timed_speed_verdict(ref=REF, sub=_res([10 / (REVIEW_SPEEDUP * 2)] * 5), factor=2.0,
                            rtol=1e-6, atol=0)
    assert v.passed and v.details.get("review")


def test_memory_bound():
    ref = _res([1], [{"out": np.ones(2)}], peaks=[3e6])
    ok = timed_memory_verdict(ref=ref, sub=_res([1], [{"out": np.ones(2)}], peaks=[5e6]),
                              bound_bytes=16 << 20, full_bytes=64 << 20, rtol=1e-6, atol=0)
    big = timed_memory_verdict(ref=ref, sub=_res([1], [{"out": np.ones(2)}], peaks=[70e6]),
                               bound_bytes=16 << 20, full_bytes=64 << 20, rtol=1e-6, atol=0)
    wrong = timed_memory_verdict(ref=ref, sub=_res([1], [{"out": np.zeros(2)}], peaks=[1e6]),
                                 bound_bytes=16 << 20, full_bytes=64 << 20, rtol=1e-6, atol=0)
    assert ok.passed and not big.passed and "materialised" in big.message and not wrong.passed


def test_cuda_available_is_false_when_torch_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert cuda_available() is False


def test_cuda_available_is_false_when_torch_cuda_raises(monkeypatch):
    def boom():
        raise RuntimeError("driver too old")
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(
        cuda=types.SimpleNamespace(is_available=boom, device_count=lambda: 1)))
    assert cuda_available() is False


def test_no_measuring_helper_is_left_in_the_student_importable_checks():
    import autograder.checks.speed as speed

    for name in ("time_call", "time_auto", "time_cuda", "_CLOCKS"):
        assert not hasattr(speed, name), name


# --- frames --------------------------------------------------------------------------------------

def test_frames_round_trip_in_any_chunking():
    data = frames.encode({"ev": "result", "n": 3}, {"out": np.arange(6.0).reshape(2, 3)})
    data += frames.encode({"ev": "done"})
    p = frames.Parser()
    got = []
    for i in range(0, len(data), 7):
        got += p.feed(data[i:i + 7])
    assert [h["ev"] for h, _ in got] == ["result", "done"]
    assert np.array_equal(got[0][1]["out"], np.arange(6.0).reshape(2, 3)) and not p.broken


@pytest.mark.parametrize("junk", [b"XXXX" + b"\0" * 8, frames.MAGIC + (10 << 20).to_bytes(4, "big"),
                                  frames.MAGIC + (2).to_bytes(4, "big") + b"[]",
                                  frames.MAGIC + (25).to_bytes(4, "big") + b'{"arrays": [["a", 1e99]]}'])
def test_hostile_frames_break_the_channel_without_raising(junk):
    p = frames.Parser()
    assert p.feed(junk) == [] and p.broken
    assert p.feed(frames.encode({"ev": "done"})) == []  # nothing more is read from a broken channel


def test_pickled_arrays_are_refused():
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    raw = b'{"arrays": [["a", %d]]}' % len(buf.getvalue())
    p = frames.Parser()
    assert p.feed(frames.MAGIC + len(raw).to_bytes(4, "big") + raw + buf.getvalue()) == []
    assert p.broken and "unreadable array" in p.broken


def test_timed_results_survive_the_result_bundle():
    import base64
    import io

    from autograder.sandbox.driver import timed_from_dict, timed_to_dict

    def npy(a):
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        return base64.b64encode(buf.getvalue()).decode()

    def from_npy(t):
        return np.load(io.BytesIO(base64.b64decode(t)), allow_pickle=False)

    back = timed_from_dict(timed_to_dict(REF, npy), from_npy)
    assert back.cpu_s == REF.cpu_s and back.meter == REF.meter
    assert all(np.array_equal(a["out"], b["out"]) for a, b in zip(back.outputs, REF.outputs))
