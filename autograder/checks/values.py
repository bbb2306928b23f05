"""Shapes, dtypes and values: compare an observed array with the expected one, and say how they
differ the way pytest's ``approx`` does for arrays (shape first, then how many elements differ, the
largest absolute and relative difference, and where)."""
from __future__ import annotations

import numpy as np

from autograder.checks import Verdict


def _fmt_index(idx) -> str:
    return "(" + ", ".join(str(int(i)) for i in idx) + ")" if len(idx) != 1 else f"[{int(idx[0])}]"


def compare_arrays(name: str, expected, actual, *, rtol: float, atol: float,
                   check_dtype_kind: bool = True) -> Verdict:
    """All-or-nothing comparison of one observation; the message leads with what matters most."""
    expected = np.asarray(expected)
    if actual is None:
        return Verdict(0.0, f"{name}: no value was returned")
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        return Verdict(0.0, f"{name}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}")
    if check_dtype_kind and expected.dtype.kind in "fc" and actual.dtype.kind not in "fciub":
        return Verdict(0.0, f"{name}: dtype {actual.dtype}, expected a floating-point array")
    if expected.dtype.kind in "biu" and actual.dtype.kind == "f":
        if not np.all(np.isfinite(actual)) or not np.all(actual == np.round(actual)):
            return Verdict(0.0, f"{name}: dtype {actual.dtype} with non-integer values, expected "
                                f"integers ({expected.dtype})")
    if expected.dtype.kind in "biu" and actual.dtype.kind not in "biuf":
        return Verdict(0.0, f"{name}: dtype {actual.dtype}, expected integers ({expected.dtype})")
    if expected.dtype.kind in "SUO" or actual.dtype.kind in "SUO":
        same = np.array_equal(expected, actual)
        return Verdict(float(same), "" if same else f"{name}: values differ")
    exp = expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
    act = actual.astype(np.complex128 if actual.dtype.kind == "c" else np.float64)
    if exp.size == 0:
        return Verdict(1.0)
    bad_act = ~np.isfinite(act)
    bad_exp = ~np.isfinite(exp)
    with np.errstate(invalid="ignore"):
        same_special = bad_exp & bad_act & ((np.isnan(act) & np.isnan(exp)) | (act == exp))
        nonfinite = bad_act & ~same_special  # NaN/Inf where the reference has none (or another)
        diff = np.where(bad_exp | bad_act, 0.0, np.abs(act - exp))
        tol = atol + rtol * np.where(bad_exp, 0.0, np.abs(exp))
        wrong = (diff > tol) | nonfinite | (bad_exp & ~bad_act)
    n_wrong = int(np.count_nonzero(wrong))
    if n_wrong == 0:
        return Verdict(1.0, details={"max_abs": float(np.max(diff))})
    if nonfinite.any():
        count = int(np.count_nonzero(nonfinite))
        where = _fmt_index(np.unravel_index(int(np.argmax(nonfinite)), act.shape)) if act.ndim else ""
        return Verdict(0.0, f"{name}: {count} of {act.size} values are NaN or Inf (first at "
                            f"index {where or '()'}); expected finite values (look for overflow, "
                            f"log(0) or division by zero)", details={"nonfinite": count})
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(exp) > 0, diff / np.abs(exp), np.inf)
    masked = np.where(wrong, diff, -1.0)
    worst = np.unravel_index(int(np.argmax(masked)), act.shape) if act.ndim else ()
    max_abs = float(np.max(diff))
    max_rel = float(np.max(np.where(wrong, rel, 0)))
    where = _fmt_index(worst) if act.ndim else "()"
    msg = (f"{name}: {n_wrong} of {act.size} elements differ (rtol={rtol:g}, atol={atol:g}); "
           f"largest absolute difference {max_abs:.4g}, largest relative difference "
           f"{max_rel:.4g}; worst at index {where}: got {_num(act[worst])}, expected "
           f"{_num(exp[worst])}")
    return Verdict(0.0, msg, details={"mismatched": n_wrong, "size": int(act.size),
                                      "max_abs": max_abs, "max_rel": max_rel, "worst_index": where})


def _num(x) -> str:
    x = complex(x) if np.iscomplexobj(x) else float(x)
    return f"{x:.6g}" if isinstance(x, float) else str(x)


def _promise_message(name: str, expected, actual) -> str | None:
    """Plain words for the observations probes make of a stub's promises (checks/calls.py)."""
    fn = name.rpartition("unchanged.")[2]
    if "unchanged." in name and expected is True and actual is False:
        return (f"{fn}: your function modified its input arguments in place; it must leave them "
                f"unchanged (work on a copy)")
    if name.endswith("in_place") and expected is True and actual is False:
        return f"{name}: the exercise asks for an in-place update, but the arrays passed in did not change"
    return None


def compare_scalar(name: str, expected, actual, *, rtol: float, atol: float) -> Verdict:
    if isinstance(expected, (bool, str)) or expected is None:
        ok = actual == expected and type(actual) is type(expected)
        msg = "" if ok else (_promise_message(name, expected, actual)
                             or f"{name}: got {actual!r}, expected {expected!r}")
        return Verdict(float(ok), msg)
    if isinstance(expected, (list, dict)):
        ok = actual == expected
        return Verdict(float(ok), "" if ok else f"{name}: got {str(actual)[:200]}, expected "
                                                f"{str(expected)[:200]}")
    return compare_arrays(name, np.asarray(expected), None if actual is None else np.asarray(actual),
                          rtol=rtol, atol=atol)


def compare_observations(expected: dict, actual: dict, *, rtol: float, atol: float,
                         skip_prefix: str = "diag.", partial: bool = False) -> Verdict:
    """Every expected observation (except diagnostics) must match; the first mismatch is reported,
    with a count of the others."""
    failures = []
    details = {}
    for key in sorted(expected):
        if key.startswith(skip_prefix):
            continue
        exp = expected[key]
        if key not in actual:
            failures.append(Verdict(0.0, f"{key}: no value was returned"))
            continue
        if isinstance(exp, np.ndarray):
            v = compare_arrays(key, exp, actual[key], rtol=rtol, atol=atol)
        else:
            v = compare_scalar(key, exp, actual[key], rtol=rtol, atol=atol)
        details[key] = v.details
        if not v.passed:
            failures.append(v)
    if not failures:
        return Verdict(1.0, details=details)
    more = f" (and {len(failures) - 1} more output(s) wrong)" if len(failures) > 1 else ""
    # partial: each compared output earns an equal share of the test's points.
    total = sum(1 for k in expected if not k.startswith(skip_prefix))
    frac = (total - len(failures)) / total if partial and total else 0.0
    return Verdict(frac, failures[0].message + more, details=details)
