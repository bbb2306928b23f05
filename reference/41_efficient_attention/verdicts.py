"""Trusted-side verdicts for topic 41."""
import numpy as np

from autograder.checks import Verdict
from autograder.checks.values import compare_arrays


def memory_bound(*, ref, sub, test, seed):
    """The tiled attention is correct on a sample of rows, and the extra memory it needed at its
    peak stays under ``max_fraction`` of what the N x N score matrix alone would take."""
    v = compare_arrays("rows", ref["rows"], sub.get("rows"), rtol=test.rtol, atol=test.atol)
    if not v.passed:
        return Verdict(0.0, "wrong values at this length: " + v.message, v.details)
    full = float(ref["full_matrix_bytes"])
    bound = float(test.options.get("max_fraction", 0.25)) * full
    peak = sub.get("peak_bytes")
    if not isinstance(peak, (int, float)) or not np.isfinite(peak) or peak < 0:
        return Verdict(0.0, "no usable peak-memory measurement was returned")
    details = {"peak_mb": peak / 2**20, "bound_mb": bound / 2**20, "full_matrix_mb": full / 2**20,
               "reference_peak_mb": float(ref["peak_bytes"]) / 2**20, "method": sub.get("method")}
    if peak <= bound:
        return Verdict(1.0, f"peak extra memory {peak / 2**20:.1f} MB (bound {bound / 2**20:.0f} MB; "
                            f"the N x N scores alone are {full / 2**20:.0f} MB)", details)
    return Verdict(0.0, f"peak extra memory {peak / 2**20:.1f} MB is over the bound of "
                        f"{bound / 2**20:.0f} MB: the full N x N score matrix ({full / 2**20:.0f} MB) "
                        f"seems to be materialised; work on one tile of scores at a time", details)
