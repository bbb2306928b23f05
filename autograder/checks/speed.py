"""Speed: relative to the reference, on the same machine, in the same grading run. The probe (in the
sandbox) warms up, then times repeated calls; the verdict compares medians with a stated factor.

Clocks. On a CPU, ``time_call`` reads ``time.perf_counter`` around each call (medians of repeats after
warm-up), or with ``clock="cpu"`` the calling thread's CPU time (``time.thread_time``), which other
processes competing for the cores do not inflate: on a shared 2-core host under load the wall clock
moved single runs by 1.5-4x. (``time.process_time`` would count every thread, but under the
sandbox's RLIMIT_CPU Linux reads the process clock only at scheduler ticks, 4 ms steps: useless for
millisecond calls. Work moved to other threads is therefore invisible to this clock; probes pin
torch to one thread, and the wall-clock bound below still sees such work.) The clock functions are bound when
this module is imported, i.e. before the code under test runs, so patching ``time.perf_counter``
afterwards does not change them. On a GPU, ``time_cuda`` records ``torch.cuda.Event`` pairs around each call on the current
stream, writes a buffer of at least ``L2_FLUSH_BYTES`` (256 MiB) before every call so that no call
starts with a warm L2 cache, and synchronises before reading the events. ``time_auto`` (what probes
call) picks CUDA events when the tensors live on a CUDA device and CUDA is usable, else the CPU clock;
its result says which clock was used (``clock``) and on which device (``device``).

Trust. The submission's own timings are untrusted (its process can patch timers), so the verdict also
uses the parent's wall clock around the whole timed probe: the student's time per call is taken as at
least that wall time divided by the number of calls. A submission faster than the reference by more
than ``REVIEW_SPEEDUP`` is credited but flagged for review.

What remains possible (not prevented, only bounded or flagged):

* Memoising across calls: the timed calls reuse the same inputs, so code that caches its result (keyed
  on the input's identity or contents) is fast after the first call. The wall-clock bound then charges
  the first (slow) call spread over all calls; the review flag catches large gains.
* Work done outside the timed window: computation started while the cells ran (before the probe) or
  in a thread that outlives the probe is not on the parent's clock. Inputs come from the per-run seed,
  so such work cannot target them, and the sandbox's process/thread limits restrict threads.
* Faking the clock inside the probe (patched ``perf_counter``, forged CUDA event times) moves the
  reported medians, but never below the trusted wall-clock bound, which includes warm-up calls,
  L2 flushes and probe set-up (so the bound is loose by roughly that overhead, in the student's favour).
* Asynchronous GPU work on another stream escapes the events of the current stream, but
  ``torch.cuda.synchronize()`` at the end waits for every stream, so it lands in the wall bound.
* Slack: a test may set ``trusted_slack`` (the CPU tests of topics 22 and 41 use 3) because the
  parent's wall clock is exposed to load from other processes; a submission that forges its own
  CPU-time medians and is truly slower than the reference by less than factor x slack passes.
* Work moved to other threads (a thread pool, or torch's intra-op threads if the code under test
  raises ``torch.set_num_threads``) escapes the CPU-time clock; only the wall-clock bound sees it.
* Patching this module (``autograder.checks.speed._CLOCKS``) or ``torch.cuda.Event`` from the
  notebook forges medians as above; only the wall-clock bound limits the gain.
* A reference that itself runs slowly (noisy machine) makes the factor easier to meet; both sides run
  on the same host, one after the other, so load affects them alike only on average.
"""
from __future__ import annotations

import time

import numpy as np

from autograder.checks import Verdict

REVIEW_SPEEDUP = 10.0
L2_FLUSH_BYTES = 256 << 20  # what is written between timed GPU calls (larger than any current L2)


class CudaUnavailable(RuntimeError):
    """CUDA timing was asked for on a host where torch has no usable CUDA device."""


_CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}  # bound before the code under test runs


def time_call(fn, *, warmup: int = 2, repeats: int = 7, sync=None, clock: str = "wall") -> dict:
    """Times ``fn()``: ``warmup`` untimed calls, then ``repeats`` timed ones. ``sync`` (e.g.
    ``torch.cuda.synchronize``) is called before reading the clock. ``clock``: "wall"
    (``perf_counter``) or "cpu" (``thread_time``: CPU time of the calling thread).
    Returns plain data."""
    now = _CLOCKS[clock]
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    times = []
    for _ in range(repeats):
        t0 = now()
        fn()
        if sync:
            sync()
        times.append(now() - t0)
    return {"times": np.asarray(times), "calls": warmup + repeats}


def flush_buffer_bytes(l2_bytes: int | None = None, *, minimum: int = L2_FLUSH_BYTES) -> int:
    """Size of the buffer written to evict the L2 cache: ``minimum`` (256 MiB), or twice the
    device's L2 when that is larger; rounded up to whole 4-byte elements."""
    size = max(int(minimum), 2 * int(l2_bytes or 0))
    return (size + 3) // 4 * 4


def cuda_available() -> bool:
    """True when torch imports and reports a usable CUDA device; never raises."""
    try:
        import torch
    except Exception:  # noqa: BLE001 - no torch means no CUDA
        return False
    try:
        return bool(torch.cuda.is_available()) and torch.cuda.device_count() > 0
    except Exception:  # noqa: BLE001
        return False


def device_name(device=None) -> str:
    """Human-readable name of the device the timing ran on (recorded in the report)."""
    if device is not None and str(device).startswith("cuda") and cuda_available():
        import torch

        return torch.cuda.get_device_name(torch.device(device))
    import platform

    return f"cpu ({platform.machine() or 'unknown'})"


def time_cuda(fn, *, warmup: int = 3, repeats: int = 10, flush_l2: bool = True, device=None) -> dict:
    """Times ``fn()`` on the GPU with CUDA events: ``warmup`` untimed calls, then ``repeats`` timed
    ones, each preceded (outside its events) by a write of ``flush_buffer_bytes()`` bytes so that the
    L2 cache is cold. Synchronises before reading the events. Times are in seconds. Raises
    ``CudaUnavailable`` when there is no CUDA device."""
    if not cuda_available():
        raise CudaUnavailable("CUDA timing needs a CUDA GPU; torch reports none on this host")
    import torch

    dev = torch.device(device) if device is not None else torch.device("cuda", torch.cuda.current_device())
    flush = None
    if flush_l2:
        l2 = getattr(torch.cuda.get_device_properties(dev), "L2_cache_size", 0)
        flush = torch.empty(flush_buffer_bytes(l2) // 4, dtype=torch.float32, device=dev)
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize(dev)
    pairs = []
    for _ in range(repeats):
        if flush is not None:
            flush.fill_(1.0)  # a write of the whole buffer, queued before the start event
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        pairs.append((start, end))
    torch.cuda.synchronize(dev)  # every stream, so work queued elsewhere is finished too
    times = [s.elapsed_time(e) / 1e3 for s, e in pairs]  # ms -> s
    del flush
    return {"times": np.asarray(times), "calls": warmup + repeats, "clock": "cuda_events",
            "device": device_name(dev), "l2_flushed": bool(flush_l2)}


def time_auto(fn, *, warmup: int = 2, repeats: int = 7, device=None, flush_l2: bool = True,
              cpu_clock: str = "wall") -> dict:
    """What probes call: CUDA events when ``device`` is a CUDA device and CUDA is usable, else the
    CPU-side ``time_call`` with ``cpu_clock`` ("wall" or "cpu"). The result names the clock and the
    device."""
    if device is not None and str(device).startswith("cuda") and cuda_available():
        return time_cuda(fn, warmup=warmup, repeats=repeats, flush_l2=flush_l2, device=device)
    out = time_call(fn, warmup=warmup, repeats=repeats, clock=cpu_clock)
    out.update(clock="perf_counter" if cpu_clock == "wall" else "thread_time",
               device=device_name(None))
    return out


def speed_verdict(*, ref: dict, sub: dict, factor: float, sub_wall: float | None = None,
                  overhead_calls: int = 0, ref_wall: float | None = None,
                  trusted_slack: float = 1.0) -> Verdict:
    """Pass when the submission's median time is at most ``factor`` x the reference's.

    ``sub_wall`` is the parent's (trusted) wall time of the whole timed probe on the submission's
    side. When ``ref_wall`` (the same for the reference) is also given, the trusted check compares
    per-call wall times of both sides, so probe set-up and warm-up weigh on both alike; without it
    the submission's wall time per call is compared with the reference's median (stricter).
    ``trusted_slack`` (>= 1) divides the trusted ratio: wall clocks are noisier than a CPU-time
    median under load, and the trusted bound is there to catch forged timings, not noise."""
    ref_times = np.asarray(ref.get("times", []), dtype=float).reshape(-1)
    if ref_times.size == 0 or not np.all(np.isfinite(ref_times)) or np.any(ref_times <= 0):
        # The reference's timings are the grader's responsibility: a crash here is a grader error.
        raise ValueError("the reference returned no usable timings")
    ref_med = float(np.median(ref_times))
    times = np.asarray(sub.get("times", []), dtype=float).reshape(-1)
    if times.size == 0 or not np.all(np.isfinite(times)) or np.any(times < 0):
        return Verdict(0.0, "no usable timings were returned")
    sub_med = float(np.median(times))
    calls = int(sub.get("calls", times.size) or times.size) + overhead_calls
    trusted = sub_wall / calls if sub_wall else None
    ref_calls = int(ref.get("calls", ref_times.size) or ref_times.size) + overhead_calls
    ref_trusted = ref_wall / ref_calls if ref_wall else None
    ratio = sub_med / ref_med
    bound = None
    if trusted is not None:
        # The submission's clock cannot claim less than the parent's clock allows.
        bound = trusted / ref_trusted if ref_trusted else trusted / ref_med
        ratio = max(ratio, bound / max(float(trusted_slack), 1.0))
    est = ratio * ref_med
    details = {"reference_median_s": ref_med, "submission_median_s": sub_med,
               "trusted_per_call_s": trusted,
               "reference_trusted_per_call_s": ref_trusted, "trusted_ratio": bound,
               "trusted_slack": float(trusted_slack), "ratio": ratio, "factor": factor,
               "reference_times": ref_times.tolist(), "submission_times": times.tolist()}
    for key in ("clock", "device"):
        if isinstance(sub.get(key), str):
            details[key] = sub[key]
    if ratio <= 1.0 / REVIEW_SPEEDUP:
        details["review"] = True
        # Credited (the trusted wall clock bounds it), but staff should look at how.
        return Verdict(1.0, f"{1 / max(ratio, 1e-12):.1f}x faster than the reference: flagged for review by "
                            f"course staff (speed-ups beyond {REVIEW_SPEEDUP:g}x are unusual)", details)
    if ratio <= factor:
        return Verdict(1.0, f"{ratio:.2f}x the reference's time (allowed: {factor:g}x)", details)
    return Verdict(0.0, f"too slow: median {est * 1e3:.3g} ms per call, {ratio:.1f}x the "
                        f"reference's {ref_med * 1e3:.3g} ms (allowed: {factor:g}x); vectorise the "
                        f"loops over elements", details)
