"""Speed checks: the verdict's logic (ratio, trusted wall-clock bound, review flag, missing
timings) and the CUDA timing code paths that run without a GPU. Real GPU timing is marked `gpu`."""
import sys
import types

import numpy as np
import pytest

from autograder.checks import speed
from autograder.checks.speed import (L2_FLUSH_BYTES, REVIEW_SPEEDUP, CudaUnavailable, cuda_available,
                                     flush_buffer_bytes, speed_verdict, time_auto, time_call,
                                     time_cuda)


def _obs(ms, calls=None):
    times = np.asarray(ms, dtype=float) / 1e3
    return {"times": times, "calls": calls if calls is not None else times.size}


REF = _obs([10, 10, 11, 9, 10])  # median 10 ms over 5 calls


# --- speed_verdict --------------------------------------------------------------------------------

def test_within_factor_passes_and_reports_ratio():
    v = speed_verdict(ref=REF, sub=_obs([19, 20, 21, 20, 20]), factor=2.5)
    assert v.passed
    assert v.details["ratio"] == pytest.approx(2.0)
    assert "2.00x" in v.message and "review" not in v.details


def test_too_slow_fails_with_numbers():
    v = speed_verdict(ref=REF, sub=_obs([40, 41, 39, 40, 40]), factor=2.5)
    assert not v.passed
    assert "4.0x" in v.message and "40 ms" in v.message


def test_exactly_at_factor_passes():
    assert speed_verdict(ref=REF, sub=_obs([25] * 5), factor=2.5).passed


def test_median_ignores_one_outlier():
    v = speed_verdict(ref=REF, sub=_obs([12, 12, 500, 12, 12]), factor=2.0)
    assert v.passed and v.details["submission_median_s"] == pytest.approx(0.012)


def test_trusted_wall_bound_overrides_forged_timings():
    # The submission claims 1 ms per call but the parent saw 5 calls take 0.3 s in all.
    v = speed_verdict(ref=REF, sub=_obs([1] * 5), factor=2.5, sub_wall=0.3)
    assert not v.passed
    assert v.details["trusted_per_call_s"] == pytest.approx(0.06)
    assert v.details["ratio"] == pytest.approx(6.0)


def test_trusted_bound_is_compared_with_the_references_wall_when_known():
    # Set-up makes both sides' wall time per call 3x their medians: that must not fail anyone.
    sub = _obs([10] * 5)
    v = speed_verdict(ref=REF, sub=sub, factor=1.5, sub_wall=0.15, ref_wall=0.15)
    assert v.passed and v.details["ratio"] == pytest.approx(1.0)
    assert v.details["reference_trusted_per_call_s"] == pytest.approx(0.03)
    # ... while without the reference's wall the same set-up counts against the submission.
    assert not speed_verdict(ref=REF, sub=sub, factor=1.5, sub_wall=0.15).passed


def test_forged_timings_still_caught_against_reference_wall():
    v = speed_verdict(ref=REF, sub=_obs([0.5] * 5), factor=2.0, sub_wall=0.5, ref_wall=0.06)
    assert not v.passed and v.details["ratio"] == pytest.approx(0.5 / 0.06, rel=1e-6)


def test_overhead_calls_spread_the_wall_time():
    v = speed_verdict(ref=REF, sub=_obs([10] * 5), factor=2.5, sub_wall=0.2, overhead_calls=5)
    assert v.details["trusted_per_call_s"] == pytest.approx(0.02)
    assert v.passed


def test_huge_speedup_is_credited_but_flagged_for_review():
    v = speed_verdict(ref=REF, sub=_obs([0.5] * 5), factor=2.0, sub_wall=0.004, ref_wall=0.06)
    assert v.passed and v.details["review"] is True
    assert f"{REVIEW_SPEEDUP:g}x" in v.message


def test_just_under_review_threshold_is_not_flagged():
    v = speed_verdict(ref=REF, sub=_obs([1.5] * 5), factor=2.0)
    assert v.passed and "review" not in v.details


def test_zero_times_do_not_crash_and_are_flagged():
    v = speed_verdict(ref=REF, sub=_obs([0, 0, 0]), factor=2.0)
    assert v.passed and v.details["review"] is True


@pytest.mark.parametrize("sub", [{}, {"times": []}, {"times": [np.nan, 0.01]}, {"times": [-1.0]},
                                 {"not_available": True}])
def test_missing_or_unusable_submission_timings_score_zero(sub):
    v = speed_verdict(ref=REF, sub=sub, factor=2.0)
    assert v.fraction == 0.0 and "no usable timings" in v.message


@pytest.mark.parametrize("ref", [{}, {"times": []}, {"times": [0.0]}, {"times": [np.inf]}])
def test_missing_reference_timings_are_a_grader_error(ref):
    with pytest.raises(ValueError, match="reference"):
        speed_verdict(ref=ref, sub=_obs([10]), factor=2.0)


def test_clock_and_device_are_recorded():
    sub = {**_obs([10] * 3), "clock": "cuda_events", "device": "NVIDIA H100"}
    v = speed_verdict(ref=REF, sub=sub, factor=2.0)
    assert v.details["clock"] == "cuda_events" and v.details["device"] == "NVIDIA H100"


# --- CPU timing ---------------------------------------------------------------------------------

def test_time_call_counts_warmup_and_repeats():
    calls = []
    out = time_call(lambda: calls.append(1), warmup=3, repeats=4)
    assert len(calls) == 7 and out["calls"] == 7 and out["times"].shape == (4,)
    assert np.all(out["times"] >= 0)


def test_time_auto_uses_the_cpu_clock_for_cpu_work():
    out = time_auto(lambda: None, warmup=1, repeats=2, device="cpu")
    assert out["clock"] == "perf_counter" and out["device"].startswith("cpu")
    assert out["calls"] == 3


# --- CUDA timing without a GPU --------------------------------------------------------------------

def test_flush_buffer_is_256_mib_or_twice_the_l2():
    assert L2_FLUSH_BYTES == 256 * 2**20
    assert flush_buffer_bytes() == 256 * 2**20
    assert flush_buffer_bytes(50 * 2**20) == 256 * 2**20  # H100: 50 MB L2
    assert flush_buffer_bytes(200 * 2**20) == 400 * 2**20  # a larger future L2: twice its size
    assert flush_buffer_bytes(0, minimum=10) == 12  # whole float32 elements
    assert flush_buffer_bytes(None) % 4 == 0


def _fake_torch(monkeypatch, available):
    cuda = types.SimpleNamespace(is_available=lambda: available, device_count=lambda: int(available))
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))


def test_time_cuda_raises_cleanly_without_cuda(monkeypatch):
    _fake_torch(monkeypatch, False)
    assert cuda_available() is False
    ran = []
    with pytest.raises(CudaUnavailable, match="CUDA"):
        time_cuda(lambda: ran.append(1), warmup=1, repeats=1)
    assert not ran  # nothing was run before the check


def test_cuda_available_is_false_when_torch_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert cuda_available() is False


def test_cuda_available_is_false_when_torch_cuda_raises(monkeypatch):
    def boom():
        raise RuntimeError("driver too old")
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(
        cuda=types.SimpleNamespace(is_available=boom, device_count=lambda: 1)))
    assert cuda_available() is False


def test_time_auto_falls_back_to_cpu_when_cuda_is_asked_but_missing(monkeypatch):
    _fake_torch(monkeypatch, False)
    out = time_auto(lambda: None, warmup=0, repeats=2, device="cuda")
    assert out["clock"] == "perf_counter" and out["times"].shape == (2,)


def test_time_cuda_flow_with_a_fake_cuda(monkeypatch):
    """The event/flush/synchronise sequence, with a stand-in for torch.cuda (no GPU needed)."""
    log = []

    class Event:
        clock = 0.0

        def __init__(self, enable_timing=False):
            assert enable_timing
            self.t = None

        def record(self):
            Event.clock += 1.0
            self.t = Event.clock
            log.append("record")

        def elapsed_time(self, other):
            return (other.t - self.t) * 2.0  # ms

    class Buffer:
        def __init__(self, n):
            self.n = n

        def fill_(self, value):
            log.append(("flush", self.n * 4))

    props = types.SimpleNamespace(L2_cache_size=50 * 2**20)
    cuda = types.SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 1, current_device=lambda: 0,
        get_device_properties=lambda dev: props, get_device_name=lambda dev: "Fake GPU",
        synchronize=lambda dev=None: log.append("sync"), Event=Event)
    fake = types.SimpleNamespace(cuda=cuda, float32="float32", device=lambda *a: "cuda:0",
                                 empty=lambda n, dtype, device: Buffer(n))
    monkeypatch.setitem(sys.modules, "torch", fake)
    out = time_cuda(lambda: log.append("fn"), warmup=2, repeats=3)
    assert out["clock"] == "cuda_events" and out["device"] == "Fake GPU"
    assert out["calls"] == 5 and out["l2_flushed"] is True
    np.testing.assert_allclose(out["times"], [0.002] * 3)  # 2 ms each, in seconds
    # warm-up, sync, then per repeat: flush (256 MiB) before the start event, fn between events.
    assert log[:3] == ["fn", "fn", "sync"]
    assert log[3:7] == [("flush", 256 * 2**20), "record", "fn", "record"]
    assert log[-1] == "sync" and log.count(("flush", 256 * 2**20)) == 3
    log.clear()
    time_cuda(lambda: log.append("fn"), warmup=0, repeats=1, flush_l2=False)
    assert not any(isinstance(x, tuple) for x in log)


# --- real GPU -------------------------------------------------------------------------------------

@pytest.mark.gpu
def test_time_cuda_on_a_real_gpu():
    if not cuda_available():
        pytest.skip("no CUDA GPU on this host")
    import torch

    a = torch.randn(2048, 2048, device="cuda")
    out = time_cuda(lambda: a @ a, warmup=2, repeats=5)
    assert out["times"].shape == (5,) and np.all(out["times"] > 0)
    assert out["clock"] == "cuda_events" and out["device"] == torch.cuda.get_device_name()
    auto = time_auto(lambda: a @ a, warmup=1, repeats=3, device="cuda")
    assert auto["clock"] == "cuda_events"


def test_trusted_slack_loosens_only_the_wall_clock_bound():
    sub = _obs([10] * 5)
    # Wall per call 4x the reference's (load), own median equal: fails strict, passes with slack 3.
    assert not speed_verdict(ref=REF, sub=sub, factor=2.0, sub_wall=0.2, ref_wall=0.05).passed
    v = speed_verdict(ref=REF, sub=sub, factor=2.0, sub_wall=0.2, ref_wall=0.05, trusted_slack=3.0)
    assert v.passed and v.details["trusted_ratio"] == pytest.approx(4.0)
    # The submission's own median must still meet the factor.
    assert not speed_verdict(ref=REF, sub=_obs([30] * 5), factor=2.0, sub_wall=0.15, ref_wall=0.05,
                             trusted_slack=3.0).passed


def test_cpu_clock_measures_thread_cpu_time():
    import time as _time

    out = time_call(lambda: _time.sleep(0.02), warmup=0, repeats=2, clock="cpu")
    assert np.all(out["times"] < 0.015)  # sleeping costs no CPU time
    wall = time_call(lambda: _time.sleep(0.02), warmup=0, repeats=2)
    assert np.all(wall["times"] >= 0.019)
    assert time_auto(lambda: None, warmup=0, repeats=1, cpu_clock="cpu")["clock"] == "thread_time"


def test_clocks_are_bound_before_student_code_can_patch_time(monkeypatch):
    import time as _time

    monkeypatch.setattr(_time, "perf_counter", lambda: 0.0)
    out = time_call(lambda: _time.sleep(0.01), warmup=0, repeats=1)
    assert out["times"][0] >= 0.009


def test_cpu_clock_is_fine_grained_under_rlimit_cpu():
    # process_time moves in 4 ms ticks once RLIMIT_CPU is set (as in the sandbox); thread_time not.
    import subprocess

    code = ("import resource; resource.setrlimit(resource.RLIMIT_CPU, (60, 61))\n"
            "from autograder.checks.speed import time_call\n"
            "t = time_call(lambda: sum(range(20000)), warmup=1, repeats=5, clock='cpu')['times']\n"
            "print(min(t))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 0 < float(out.stdout) < 0.004
