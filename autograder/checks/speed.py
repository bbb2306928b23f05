"""Speed and memory verdicts, computed on the trusted side from what the PARENT measured.

Nothing here measures anything, and nothing that measures runs in the student's process: a timed
probe (``[tests.timing]`` in the manifest) only sets up a callable; the parent
(``autograder.sandbox.driver``) streams fresh inputs to it, call by call, from a stream the
sandbox never sees, reads the kernel's CPU time of the whole sandbox (every thread and child
process: a per-sandbox cgroup, or the container's) and its own wall clock around each call, reads the
sandbox's peak memory for ``measure = "memory"``, and keeps every output. The reference is timed the
same way, on the same host, in the same grading run, on the same inputs.

Writing a timed probe (topics 11, 22, 41; new topics follow the same pattern)::

    # manifest.toml
    [[tests]]
    id = "conv_speed"
    check = "speed"          # or "memory"
    factor = 4.0             # speed: allowed ratio of CPU-time medians (submission / reference)
    rtol = 1e-4              # every timed output is compared with the reference's at rtol/atol
    atol = 1e-4
    [tests.timing]
    inputs = { x = { shape = [4, 3, 24, 24], dtype = "float64" }, w = { shape = [8, 3, 3, 3] } }
    warmup = 2               # untimed calls (fresh inputs too)
    calls = 9                # timed calls: the parent's count, not the probe's
    measure = "cpu"          # "cpu" (kernel CPU time), "wall" (GPU probes), "memory"

    # probes.py: the set-up is untimed; the callable gets the inputs as NumPy arrays by name
    def conv_speed(sub, rng):
        return lambda x, w: sub.conv2d_forward(x, w, ...)

Verdicts: a timed probe fails when any timed output differs from the reference's (a fast wrong
answer earns nothing), when a marker is forged, missing or out of order, or when the calls run past
the time limit. Speed passes when the median CPU time per call is at most ``factor`` times the
reference's (GPU probes: the parent's wall clock, which includes copying the output back, so work
queued on any stream that produced it is counted). A submission faster than the reference by more
than ``REVIEW_SPEEDUP`` is credited but flagged for review.

What stays possible: work done before the timed call that does not depend on its inputs (e.g.
caching a reshaped weight in a module's set-up) is not timed, as in any benchmark; on a GPU, the
parent's wall clock sees load from other GPU users.
"""
from __future__ import annotations

import numpy as np

from autograder.checks import Verdict
from autograder.checks.values import compare_arrays

REVIEW_SPEEDUP = 10.0


def cuda_available() -> bool:
    """True when torch imports and reports a usable CUDA device; never raises. (Probes use it to
    skip GPU work; whether a GPU test runs at all is decided by the worker's detector.)"""
    try:
        import torch
    except Exception:  # noqa: BLE001 - no torch means no CUDA
        return False
    try:
        return bool(torch.cuda.is_available()) and torch.cuda.device_count() > 0
    except Exception:  # noqa: BLE001
        return False


def device_name(device=None) -> str:
    """Human-readable name of a device (recorded in the report)."""
    if device is not None and str(device).startswith("cuda") and cuda_available():
        import torch

        return torch.cuda.get_device_name(torch.device(device))
    import platform

    return f"cpu ({platform.machine() or 'unknown'})"


def _spread(times: np.ndarray) -> dict:
    q1, med, q3 = np.percentile(times, [25, 50, 75])
    return {"median_s": float(med), "iqr_s": float(q3 - q1), "min_s": float(times.min()),
            "max_s": float(times.max())}


def check_outputs(ref, sub, *, rtol: float, atol: float) -> Verdict | None:
    """None when every timed output of ``sub`` matches the reference's for the same call."""
    if len(sub.outputs) != len(ref.outputs):
        return Verdict(0.0, f"{len(sub.outputs)} of {len(ref.outputs)} timed calls returned a result")
    for k, (exp, act) in enumerate(zip(ref.outputs, sub.outputs)):
        for name in sorted(exp):
            v = compare_arrays(name, exp[name], act.get(name), rtol=rtol, atol=atol)
            if not v.passed:
                return Verdict(0.0, f"timed call {k + 1} (fresh inputs) returned a wrong result: "
                                    f"{v.message}", v.details)
    return None


def _ref_usable(ref, what: str):
    if ref is None or ref.error or not ref.outputs:
        # The reference's measurements are the grader's responsibility: a grader error.
        raise ValueError(f"the reference's timed calls failed: {getattr(ref, 'error', None) or 'no result'}")
    times = np.asarray(ref.cpu_s if what == "cpu" else ref.wall_s if what == "wall" else ref.peak_bytes,
                       dtype=float)
    if times.size == 0 or not np.all(np.isfinite(times)):
        raise ValueError(f"the reference returned no usable {what} measurements ({ref.meter})")
    return times


def timed_speed_verdict(*, ref, sub, factor: float, rtol: float, atol: float) -> Verdict:
    """``ref``/``sub``: the parent's ``TimedResult`` of each side."""
    clock = "wall" if ref is not None and (ref.measure == "wall" or not ref.cpu_s) else "cpu"
    ref_t = _ref_usable(ref, clock)
    if sub is None or sub.error:
        return Verdict(0.0, (sub.error if sub is not None else None) or "the timed calls did not run")
    wrong = check_outputs(ref, sub, rtol=rtol, atol=atol)
    if wrong is not None:
        return wrong
    times = np.asarray(sub.cpu_s if clock == "cpu" else sub.wall_s, dtype=float)
    if times.size == 0 or not np.all(np.isfinite(times)):
        return Verdict(0.0, "no usable timings were measured")
    ref_med = float(np.median(np.maximum(ref_t, 1e-9)))
    sub_med = float(np.median(times))
    ratio = sub_med / ref_med
    what = "CPU time" if clock == "cpu" else "wall time"
    details = {"clock": f"{what} of the whole sandbox ({sub.meter})" if clock == "cpu" else
               "parent's wall clock", "factor": factor, "ratio": ratio, "calls": len(times),
               "reference_median_s": ref_med, "submission_median_s": sub_med,
               "reference": _spread(ref_t), "submission": _spread(times),
               "reference_times": ref_t.tolist(), "submission_times": times.tolist(),
               "submission_wall_s": list(map(float, sub.wall_s))}
    if ratio <= 1.0 / REVIEW_SPEEDUP:
        details["review"] = True
        return Verdict(1.0, f"{1 / max(ratio, 1e-12):.1f}x faster than the reference: flagged for review "
                            f"by course staff (speed-ups beyond {REVIEW_SPEEDUP:g}x are unusual)", details)
    if ratio <= factor:
        return Verdict(1.0, f"{ratio:.2f}x the reference's {what} (allowed: {factor:g}x)", details)
    return Verdict(0.0, f"too slow: median {sub_med * 1e3:.3g} ms of {what} per call, {ratio:.1f}x the "
                        f"reference's {ref_med * 1e3:.3g} ms (allowed: {factor:g}x); vectorise the "
                        f"loops over elements", details)


def timed_memory_verdict(*, ref, sub, bound_bytes: float, full_bytes: float, rtol: float,
                         atol: float) -> Verdict:
    """Pass when every timed output is right and the largest extra memory the sandbox needed
    during a timed call (kernel peak above the level at the call's start; see the driver) stays
    at most ``bound_bytes``."""
    ref_peaks = _ref_usable(ref, "memory")
    if sub is None or sub.error:
        return Verdict(0.0, (sub.error if sub is not None else None) or "the timed calls did not run")
    wrong = check_outputs(ref, sub, rtol=rtol, atol=atol)
    if wrong is not None:
        return wrong
    peaks = np.asarray(sub.peak_bytes, dtype=float)
    if peaks.size == 0 or not np.all(np.isfinite(peaks)):
        return Verdict(0.0, "no usable peak-memory measurement")
    peak = float(peaks.max())
    mb = 2.0 ** 20
    details = {"peak_mb": peak / mb, "bound_mb": bound_bytes / mb, "full_matrix_mb": full_bytes / mb,
               "reference_peak_mb": float(ref_peaks.max()) / mb, "method": sub.meter}
    if peak <= bound_bytes:
        return Verdict(1.0, f"peak extra memory {peak / mb:.1f} MB (bound {bound_bytes / mb:.0f} MB; "
                            f"the N x N scores alone are {full_bytes / mb:.0f} MB)", details)
    return Verdict(0.0, f"peak extra memory {peak / mb:.1f} MB is over the bound of "
                        f"{bound_bytes / mb:.0f} MB: the full N x N score matrix ({full_bytes / mb:.0f} MB) "
                        f"seems to be materialised; work on one tile of scores at a time", details)
