"""What every check kind may assume of the submission's observations (the contract verdicts are
written against), and the one place it is enforced: ``autograder.checks.registry.decide``.

Whatever crosses the sandbox boundary is hostile: an untimed probe's arrays are any plain numeric
``.npy`` (bool, int, uint, float, complex) and its scalars any JSON value; a timed or fed probe's
outputs are ``.npy`` of any dtype but object (unicode, bytes, structured, datetime). Before a
verdict sees them, the submission's observations are screened against the reference's own, key by
key:

* a key the reference did not make is dropped (a verdict never iterates over foreign keys);
* where the reference made numbers (an array or a number), the submission's value must be numbers
  too: a real array (bool, int, uint or float; complex only where the reference is complex, or
  with every imaginary part zero, then made real), a number, or a JSON list of numbers (made an
  array). Text, bytes, records, dates, mappings, None, ragged lists fail here, shape first;
* where the reference made True/False, text, a list or a mapping, the submission's value must be
  of that kind;
* a missing key stays missing, and values keep their shape, size and finiteness: wrong sizes,
  NaN/Inf and enormous values are each verdict's to judge (and to explain).

A verdict (a built-in kind or a topic's ``verdicts.py``) that still raises on the screened
observations is asked the same question about the reference's own observations (in
``registry.decide``): if it answers that, the exception came from the submission's data, and the test
fails with a message for the student (what differs from the reference's observations, shape
first); if it raises there too, the verdict is broken: a grader error."""
from __future__ import annotations

import numpy as np

from autograder.checks import Verdict

MAX_TEXT = 40  # characters of a submitted string quoted back in a message


class Rejected(Exception):
    """An observation of the wrong kind; ``str(exc)`` is the student's message."""


def describe(value) -> str:
    """The form of an observation in words, shape first."""
    if isinstance(value, np.ndarray):
        kind = {"U": " (text)", "S": " (bytes)", "V": " (records)", "M": " (dates)",
                "m": " (durations)", "O": " (objects)", "c": " (complex)"}.get(value.dtype.kind, "")
        return f"shape {tuple(value.shape)}, dtype {value.dtype}{kind}"
    if value is None:
        return "nothing (None)"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {bool(value)}"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "a single number (shape ())"
    if isinstance(value, str):
        text = value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "..."
        return f"the text {text!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    return f"a value of type {type(value).__name__}"


def _is_number(v) -> bool:
    return isinstance(v, (int, float, complex, np.number)) and not isinstance(v, (bool, np.bool_))


def _numeric_like(ref) -> bool:
    if isinstance(ref, np.ndarray):
        return ref.dtype.kind in "biufc"
    return _is_number(ref)


def _real(arr: np.ndarray, key: str, complex_ok: bool) -> np.ndarray:
    if arr.dtype.kind in "biuf" or (arr.dtype.kind == "c" and complex_ok):
        return arr
    if arr.dtype.kind == "c":
        with np.errstate(all="ignore"):
            if np.all(arr.imag == 0):
                return arr.real.copy()  # a real answer stored as complex: the same numbers
        raise Rejected(f"{key}: {describe(arr)} with non-zero imaginary parts; expected real numbers")
    raise Rejected(f"{key}: {describe(arr)}; expected numbers")


def screen_value(key: str, ref, sub):
    """The submission's value for ``key``, made the reference's kind; raises :class:`Rejected`."""
    if isinstance(ref, (bool, np.bool_)):
        if isinstance(sub, (bool, np.bool_)):
            return bool(sub)
        if isinstance(sub, np.ndarray) and sub.shape == () and sub.dtype.kind == "b":
            return bool(sub)
        raise Rejected(f"{key}: got {describe(sub)}; expected True or False")
    if _numeric_like(ref):
        complex_ok = np.iscomplexobj(ref)
        if isinstance(sub, (bool, np.bool_)) or _is_number(sub):
            if isinstance(sub, int) and not isinstance(sub, bool) and abs(sub) >= 2 ** 63:
                return float(sub)  # a JSON integer too large for int64: a (huge) number
            if isinstance(sub, (complex, np.complexfloating)) and not complex_ok:
                return _real(np.asarray(sub), key, False)[()]
            return sub
        if isinstance(sub, np.ndarray):
            return _real(sub, key, complex_ok)
        if isinstance(sub, list):
            try:
                arr = np.asarray(sub)
            except (ValueError, TypeError, OverflowError):
                raise Rejected(f"{key}: got {describe(sub)} that is not an array of numbers "
                               f"(rows of different lengths?); expected {describe(ref)}") from None
            if arr.dtype.kind not in "biufc":
                raise Rejected(f"{key}: got {describe(sub)} of {arr.dtype}; expected numbers, "
                               f"{describe(ref)}")
            return _real(arr, key, complex_ok)
        raise Rejected(f"{key}: got {describe(sub)}; expected numbers, {describe(ref)}")
    for kind in (str, list, dict):
        if isinstance(ref, kind):
            if isinstance(sub, kind):
                return sub
            raise Rejected(f"{key}: got {describe(sub)}; expected {describe(ref)}")
    if isinstance(ref, np.ndarray):  # the reference's own text or record array: compare as is
        if isinstance(sub, np.ndarray) and sub.dtype.kind == ref.dtype.kind:
            return sub
        raise Rejected(f"{key}: got {describe(sub)}; expected {describe(ref)}")
    return sub  # the reference's None: any value (the verdict says whether it must be None)


def screen(ref: dict, sub: dict) -> tuple[dict, str | None]:
    """(the submission's observations screened against the reference's, or why not: the
    student's message for the first key of the wrong kind). Keys the reference lacks are dropped."""
    out = {}
    for key in ref:
        if key not in sub:
            continue
        try:
            out[key] = screen_value(key, ref[key], sub[key])
        except Rejected as exc:
            if str(key).startswith("diag."):
                continue  # a diagnostic never decides a score: one that cannot be read is left out
            return out, str(exc)
    return out, None


def differences(ref: dict, sub: dict, limit: int = 3) -> list[str]:
    """How the submission's observations differ in form from the reference's, shape first."""
    out = []
    for key in ref:
        if key.startswith("diag."):
            continue
        r, s = ref[key], sub.get(key, _MISSING)
        if s is _MISSING:
            out.append(f"{key}: no value was returned")
        elif isinstance(r, np.ndarray) and isinstance(s, np.ndarray):
            if r.shape != s.shape:
                out.append(f"{key}: shape {tuple(s.shape)}, expected {tuple(r.shape)}")
            elif r.dtype.kind != s.dtype.kind:
                out.append(f"{key}: dtype {s.dtype}, expected {r.dtype}")
        elif isinstance(r, np.ndarray) != isinstance(s, np.ndarray):
            out.append(f"{key}: {describe(s)}, expected {describe(r)}")
        if len(out) >= limit:
            break
    return out


_MISSING = object()


def blamed_verdict(exc: BaseException, ref: dict, sub: dict) -> Verdict:
    """The student's failure for a verdict that raised on their (screened) observations but not
    on the reference's own: what differs, shape first, and what went wrong."""
    diffs = differences(ref, sub)
    what = f"{type(exc).__name__}: {exc}"
    what = what if len(what) <= 300 else what[:300] + "..."
    head = "; ".join(diffs) + "; " if diffs else ""
    return Verdict(0.0, f"{head}your outputs could not be checked ({what}); compare their shape, "
                        f"dtype and values with what the exercise asks for")
