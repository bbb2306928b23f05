"""Speed: relative to the reference, on the same machine, in the same grading run. The probe (in the
sandbox) warms up, then times repeated calls; the verdict compares medians with a stated factor.

The submission's own timings are untrusted (its process can patch timers), so the verdict also uses
the parent's wall clock around the whole timed probe: the student's time per call is taken as at
least that wall time divided by the number of calls. A submission faster than the reference by more
than ``REVIEW_SPEEDUP`` is credited but flagged for review.
"""
from __future__ import annotations

import time

import numpy as np

from autograder.checks import Verdict

REVIEW_SPEEDUP = 10.0


def time_call(fn, *, warmup: int = 2, repeats: int = 7, sync=None) -> dict:
    """Times ``fn()``: ``warmup`` untimed calls, then ``repeats`` timed ones. ``sync`` (e.g.
    ``torch.cuda.synchronize``) is called before reading the clock. Returns plain data."""
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append(time.perf_counter() - t0)
    return {"times": np.asarray(times), "calls": warmup + repeats}


def speed_verdict(*, ref: dict, sub: dict, factor: float, sub_wall: float | None = None,
                  overhead_calls: int = 0) -> Verdict:
    """Pass when the submission's median time is at most ``factor`` x the reference's."""
    ref_med = float(np.median(ref["times"]))
    times = np.asarray(sub.get("times", []), dtype=float).reshape(-1)
    if times.size == 0 or not np.all(np.isfinite(times)) or np.any(times < 0):
        return Verdict(0.0, "no usable timings were returned")
    sub_med = float(np.median(times))
    calls = int(sub.get("calls", times.size) or times.size) + overhead_calls
    trusted = sub_wall / calls if sub_wall else None
    est = max(sub_med, trusted or 0.0)
    ratio = est / ref_med if ref_med > 0 else float("inf")
    details = {"reference_median_s": ref_med, "submission_median_s": sub_med,
               "trusted_per_call_s": trusted, "ratio": ratio, "factor": factor,
               "reference_times": np.asarray(ref["times"]).tolist(), "submission_times": times.tolist()}
    if ratio <= 1.0 / REVIEW_SPEEDUP:
        details["review"] = True
        # Credited (the trusted wall clock bounds it), but staff should look at how.
        return Verdict(1.0, f"{1 / ratio:.1f}x faster than the reference: flagged for review by "
                            f"course staff (speed-ups beyond {REVIEW_SPEEDUP:g}x are unusual)", details)
    if ratio <= factor:
        return Verdict(1.0, f"{ratio:.2f}x the reference's time (allowed: {factor:g}x)", details)
    return Verdict(0.0, f"too slow: median {est * 1e3:.3g} ms per call, {ratio:.1f}x the "
                        f"reference's {ref_med * 1e3:.3g} ms (allowed: {factor:g}x); vectorise the "
                        f"loops over elements", details)
