"""Gradients: central finite differences in float64 (sandbox side) and the relative-error metric
(verdict side). A probe returns the analytic gradient of the code under test and, as a diagnostic,
finite differences of that code's own forward; the verdict compares the analytic gradient with the
reference's, and the report shows the diagnostic so a student can tell a wrong backward from a
wrong forward."""
from __future__ import annotations

import numpy as np

from autograder.checks import Verdict

TINY = 1e-12


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f(x) / d x for scalar-valued ``f``, by central differences. ``x`` is perturbed in place
    (as float64) and each entry is restored before the next, so ``f`` may close over it."""
    if x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 array (finite differences in float32 "
                        "are too coarse)")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = float(f())
        x[i] = old - eps
        minus = float(f())
        x[i] = old  # restore before the next entry
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def numerical_vjp(f, x: np.ndarray, upstream: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Gradient of ``sum(f() * upstream)`` with respect to ``x``: finite differences for a function
    with array output, against a fixed upstream gradient."""
    return numerical_gradient(lambda: np.sum(np.asarray(f(), dtype=np.float64) * upstream), x, eps)


def relative_error(a, n) -> np.ndarray:
    """Element-wise |a - n| / max(tiny, |a| + |n|): scale-free, and 0 where both are zero."""
    a = np.asarray(a, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    return np.abs(a - n) / np.maximum(TINY, np.abs(a) + np.abs(n))


def compare_gradients(name: str, expected, actual, *, tol: float, atol: float = 1e-10) -> Verdict:
    """Student's analytic gradient vs the reference's. An element agrees when its relative error
    is within ``tol``, or when it differs by at most ``atol`` (the rounding noise of a correct
    answer: relative error is meaningless for an element near zero, e.g. tanh' far in the tail
    computed in float32)."""
    expected = np.asarray(expected)
    if actual is None:
        return Verdict(0.0, f"{name}: no gradient was returned")
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        return Verdict(0.0, f"{name}: gradient shape {tuple(actual.shape)}, expected "
                            f"{tuple(expected.shape)} (a gradient has the shape of its input)")
    if actual.dtype.kind not in "fiu":
        return Verdict(0.0, f"{name}: dtype {actual.dtype}, expected floating point")
    act = actual.astype(np.float64)
    if not np.all(np.isfinite(act)):
        count = int(np.count_nonzero(~np.isfinite(act)))
        return Verdict(0.0, f"{name}: {count} of {act.size} gradient values are NaN or Inf")
    rel = relative_error(act, expected)
    with np.errstate(invalid="ignore"):
        rel = np.where((np.maximum(np.abs(act), np.abs(expected)) < atol)
                       | (np.abs(act - expected) <= atol), 0.0, rel)
    bad = rel > tol
    worst = float(rel.max()) if rel.size else 0.0
    details = {"max_rel_error": worst}
    if not bad.any():
        return Verdict(1.0, details=details)
    idx = np.unravel_index(int(np.argmax(rel)), rel.shape) if rel.ndim else ()
    where = "(" + ", ".join(str(int(i)) for i in idx) + ")"
    return Verdict(0.0, f"{name}: {int(bad.sum())} of {rel.size} gradient elements differ from the "
                        f"reference; largest relative error {worst:.3g} (tolerance {tol:g}) at index "
                        f"{where}: got {act[idx]:.6g}, expected {float(expected[idx]):.6g}",
                   details={**details, "worst_index": where})


def self_consistency(analytic, numerical) -> float | None:
    """Diagnostic: the largest relative error between a student's analytic gradient and finite
    differences of the student's own forward."""
    try:
        a = np.asarray(analytic, dtype=np.float64)
        n = np.asarray(numerical, dtype=np.float64)
        if a.shape != n.shape or a.size == 0:
            return None
        return float(relative_error(a, n).max())
    except (TypeError, ValueError):
        return None


def fd_diagnostic(forward, x: np.ndarray, upstream: np.ndarray | None = None, eps: float | None = None):
    """Finite differences of the student's own forward (sandbox side), for the report's diagnostic.
    A forward that computes in float32 gets a larger step (1e-6 would be rounding noise there).
    Returns None rather than failing the probe when the forward itself is broken."""
    try:
        if x.dtype != np.float64:
            return None
        if eps is None:
            out = np.asarray(forward())
            eps = 1e-3 if out.dtype == np.float32 or out.dtype == np.float16 else 1e-6
        if upstream is None:
            return numerical_gradient(forward, x, eps)
        return numerical_vjp(forward, x, upstream, eps)
    except Exception:  # noqa: BLE001 - a diagnostic never decides a score
        return None


# Finite differences are a coarse instrument (and coarser on a float32 forward): a wrong backward
# is typically off by O(1), so agreement within 1% says the backward matches the forward.
FD_AGREES = 1e-2


def gradient_verdict(expected_obs: dict, actual_obs: dict, *, rtol: float, atol: float,
                     partial: bool = False) -> Verdict:
    """Every non-diagnostic observation is a gradient compared by relative error; ``diag.fd.<key>``
    (finite differences of the student's own forward) becomes a diagnostic in the report.
    Observations that are not numbers (``unchanged.<fn>`` flags, dtype strings) compare exactly."""
    from autograder.checks.values import compare_scalar

    subv = actual_obs
    fails, diagnostics = [], {}
    for key, expected in sorted(expected_obs.items()):
        if key.startswith("diag."):
            continue
        fd = subv.get(f"diag.fd.{key}")
        if fd is not None and key in subv:
            err = self_consistency(subv[key], fd)
            if err is not None:
                diagnostics[key] = err
        if isinstance(expected, (bool, str, list, dict)) or expected is None:
            # Not a gradient: a promise observed beside it (inputs unchanged, a dtype, a flag).
            v = compare_scalar(key, expected, subv.get(key), rtol=0.0, atol=0.0)
        else:
            v = compare_gradients(key, expected, subv.get(key), tol=rtol, atol=atol)
        if not v.passed:
            fails.append((key, v))
    details = {"self_check": diagnostics}
    if not fails:
        return Verdict(1.0, details=details)
    key, first = fails[0]
    msg = first.message + (f" (and {len(fails) - 1} more wrong)" if len(fails) > 1 else "")
    if key in diagnostics:  # the diagnostic of the gradient that failed, not of another one
        err = diagnostics[key]
        verdict = ("your backward agrees with finite differences of your own forward, so look at "
                   "the forward" if err < FD_AGREES else
                   "your backward disagrees with finite differences of your own forward, so look "
                   "at the backward")
        msg += f"\nDiagnostic for {key}: relative error vs finite differences {err:.2g}: {verdict}."
    # partial: each gradient (dx, dW, db ...) earns an equal share of the test's points.
    total = sum(1 for k in expected_obs if not k.startswith("diag."))
    return Verdict((total - len(fails)) / total if partial and total else 0.0, msg, details)
