"""Trusted-side verdicts for topic 05. A principal direction v and -v describe the same axis, so a
component (a row) and its projection column are compared after aligning their sign with the
reference's; everything else is compared as is."""
import numpy as np

from autograder.checks import Verdict
from autograder.checks.values import compare_observations


def _align(expected, actual, axis):
    """Flip the rows (axis=0) or columns (axis=1) of actual whose dot product with the reference's
    is negative. Anything of the wrong shape is returned unchanged (the comparison reports it)."""
    try:
        act = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return actual
    exp = np.asarray(expected, dtype=float)
    if act.shape != exp.shape or act.ndim != 2 or not np.all(np.isfinite(act)):
        return actual
    dots = np.sum(act * exp, axis=1 - axis)  # one per component
    signs = np.where(dots < 0, -1.0, 1.0)
    return act * (signs[:, None] if axis == 0 else signs[None, :])


def up_to_sign(*, ref, sub, test, seed):
    """Components are rows (axis 0) and projections columns (axis 1): each may be negated."""
    aligned = dict(sub)
    flipped = 0
    for key, expected in ref.items():
        axis = 0 if key.startswith("components") else 1 if key.startswith("projection") else None
        if axis is None or key not in sub:
            continue
        aligned[key] = _align(expected, sub[key], axis)
        if isinstance(aligned[key], np.ndarray) and not np.array_equal(aligned[key], np.asarray(sub[key])):
            flipped += 1
    v = compare_observations(ref, aligned, rtol=test.rtol, atol=test.atol)
    v.details["sign_aligned_outputs"] = flipped
    return v
