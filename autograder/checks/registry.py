"""Check kinds as a registry. Each kind is one entry: a typed, described options dataclass built
from the manifest's test entry, and ``decide`` (the trusted verdict from the reference's and the
submission's observations). ``explain`` is the kind's contract in one paragraph (shown by
docs/authoring.md). A new kind is a registration here, not another branch in ``verdict``:

    register(CheckKind("allclose", AllcloseOptions, decide_allclose, "..."))
"""
from __future__ import annotations

import copy
import dataclasses
import traceback
from dataclasses import dataclass, fields
from typing import Any, Callable

from autograder.checks import Verdict


@dataclass(frozen=True)
class AllcloseOptions:
    rtol: float = 1e-5  # relative tolerance: |a - e| <= atol + rtol |e|
    atol: float = 1e-8  # absolute tolerance (state the measurement that set it in the manifest)
    partial: bool = False  # each output earns an equal share of the points (else all or nothing)


@dataclass(frozen=True)
class GradientOptions:
    rtol: float = 1e-5  # largest relative error |a - e| / (|a| + |e|) per element
    atol: float = 1e-8  # elements that differ by at most this much agree (rounding noise near 0)
    partial: bool = False  # each gradient (dx, dW, db) earns an equal share of the points


@dataclass(frozen=True)
class SpeedOptions:
    factor: float  # the submission may take at most factor x the reference's time
    rtol: float = 1e-5  # the timed outputs must also be right
    atol: float = 1e-8


@dataclass(frozen=True)
class MemoryOptions:
    full_bytes: float  # what the naive (full-matrix) method needs
    max_fraction: float = 0.25  # extra peak memory allowed, as a fraction of full_bytes
    rtol: float = 1e-5
    atol: float = 1e-8


@dataclass(frozen=True)
class CustomOptions:
    # The function in reference/<t>/verdicts.py: fn(*, ref, sub, test, seed[, held_out]) -> Verdict.
    # ``sub`` arrives screened against ``ref`` (autograder/checks/screen.py: no foreign keys,
    # numbers where ref has numbers); missing keys, shapes, NaN/Inf and size are the verdict's to
    # judge. One that raises on ``sub`` but not with sub=ref fails the student; one that raises on
    # both is a grader error (docs/authoring.md, "What sub may hold").
    verdict: str


@dataclass(frozen=True)
class CheckKind:
    name: str
    options: type
    decide: Callable[..., Verdict]  # decide(opts, ref, sub, *, test, verdicts, seed) -> Verdict
    explain: str


REGISTRY: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> CheckKind:
    REGISTRY[kind.name] = kind
    return kind


def options_for(test) -> Any:
    """The kind's options dataclass from a TestSpec (its fields, then its free-form options)."""
    kind = REGISTRY[test.check]
    values = {}
    for f in fields(kind.options):
        if f.name in test.options:
            values[f.name] = test.options[f.name]
        elif hasattr(test, f.name) and getattr(test, f.name) is not None:
            values[f.name] = getattr(test, f.name)
    return kind.options(**values)


def decide(test, ref, sub, *, verdicts, seed: int) -> Verdict:
    """The verdict of one test. Every kind sees the submission's observations screened against
    the reference's (autograder/checks/screen.py: keys the reference lacks dropped, numbers where
    it has numbers); one that raises on them but not on the reference's own observations raised
    because of the student's data: a failure with a message, not a grader error. One that raises
    on the reference's own too is broken: the original exception propagates (a grader error)."""
    kind = REGISTRY.get(test.check)
    if kind is None:
        raise ValueError(f"unknown check {test.check!r}; known: {', '.join(sorted(REGISTRY))}")
    opts = options_for(test)
    clean, why = _screened(ref, sub)
    if why is not None:
        return Verdict(0.0, why)

    import numpy as np  # here, not at import: `list` and `--help` load the registry without NumPy

    def run(side):
        v = kind.decide(opts, ref, side, test=test, verdicts=verdicts, seed=seed)
        if not isinstance(v, Verdict):
            raise TypeError(f"the {test.check} check returned {type(v).__name__}, not a Verdict")
        if np.iscomplexobj(v.fraction):
            raise TypeError(f"the {test.check} check's fraction is complex: {v.fraction!r}")
        v.fraction = float(v.fraction)  # a real number (judge clips it and treats NaN as 0)
        v.message = str(v.message)
        return v

    try:
        return run(clean)
    except Exception as exc:  # noqa: BLE001 - whose fault it is is decided just below
        try:
            run(ref)  # the same question about the reference's own observations
        except Exception:  # noqa: BLE001 - the verdict is broken: the first error is the grader's
            raise exc from None
        from autograder.checks.screen import blamed_verdict

        v = blamed_verdict(exc, _values_of(ref), _values_of(clean))
        v.details["verdict_error"] = traceback.format_exc()[-2000:]  # for staff, in the report data
        return v


def _values_of(obs) -> dict:
    timed = getattr(obs, "timed", None)
    if timed is not None:
        return dict(timed.outputs[0]) if timed.outputs else {}
    return obs.values


def _screened(ref, sub):
    """(sub with its observations screened against ref's, or None; why not, or None)."""
    from autograder.checks.screen import screen

    rt, st = getattr(ref, "timed", None), getattr(sub, "timed", None)
    if st is not None and rt is not None and rt.outputs:
        outputs = []
        for k, out in enumerate(st.outputs):
            clean, why = screen(rt.outputs[min(k, len(rt.outputs) - 1)], out)
            if why is not None:
                call = f"timed call {k + 1}: " if len(st.outputs) > 1 else ""
                return None, call + why
            outputs.append(clean)
        new = copy.copy(sub)
        new.timed = dataclasses.replace(st, outputs=outputs)
        return new, None
    if st is not None:
        return sub, None  # no reference outputs to screen against: the kind reports the reference
    clean, why = screen(ref.values, sub.values)
    if why is not None:
        return None, why
    import numpy as np

    new = copy.copy(sub)
    new.scalars = {k: v for k, v in clean.items() if not isinstance(v, np.ndarray)}
    new.arrays = {k: v for k, v in clean.items() if isinstance(v, np.ndarray)}
    return new, None


def _allclose(opts: AllcloseOptions, ref, sub, **_) -> Verdict:
    from autograder.checks.values import compare_observations
    return compare_observations(ref.values, sub.values, rtol=opts.rtol, atol=opts.atol,
                                partial=bool(opts.partial))


def _gradient(opts: GradientOptions, ref, sub, **_) -> Verdict:
    from autograder.checks.gradients import gradient_verdict
    return gradient_verdict(ref.values, sub.values, rtol=opts.rtol, atol=opts.atol,
                            partial=bool(opts.partial))


def _speed(opts: SpeedOptions, ref, sub, **_) -> Verdict:
    from autograder.checks.speed import timed_speed_verdict
    # Measured by the parent around each call (see autograder.checks.speed).
    return timed_speed_verdict(ref=ref.timed, sub=sub.timed, factor=float(opts.factor),
                               rtol=opts.rtol, atol=opts.atol)


def _memory(opts: MemoryOptions, ref, sub, **_) -> Verdict:
    from autograder.checks.speed import timed_memory_verdict
    full = float(opts.full_bytes)
    return timed_memory_verdict(ref=ref.timed, sub=sub.timed, full_bytes=full,
                                bound_bytes=float(opts.max_fraction) * full, rtol=opts.rtol,
                                atol=opts.atol)


def _custom(opts: CustomOptions, ref, sub, *, test, verdicts, seed, **_) -> Verdict:
    fn = getattr(verdicts, opts.verdict or "", None)
    if fn is None:
        raise LookupError(f"verdict function {opts.verdict!r} is not defined in verdicts.py")
    timing = test.options.get("timing")
    if isinstance(timing, dict) and timing.get("feed"):
        return _fed(fn, ref, sub, test=test, seed=seed)
    return fn(ref=ref.values, sub=sub.values, test=test, seed=seed)


def _fed(fn, ref, sub, *, test, seed) -> Verdict:
    """A fed probe (see autograder.sandbox.driver): each timed call trained on its own secret data
    set; the verdict runs per call with ``held_out`` (what the parent kept, never sent) and the
    test passes only if every call does, so a buggy answer that converges by luck on one data set
    rarely passes all of them. The worst call's verdict is shown."""
    t, rt = sub.timed, ref.timed
    if rt is None or rt.error or not rt.outputs:
        raise RuntimeError(f"the reference's run of this test failed: {getattr(rt, 'error', None)}")
    if t is None or t.error or not t.outputs:
        why = getattr(t, "error", None) or "your code returned nothing for the training data"
        return Verdict(0.0, why)
    if len(t.kept) != len(t.outputs) or len(rt.outputs) != len(t.outputs):
        raise RuntimeError("the fed probe's held-out data does not match its calls")
    worst, worst_k = None, 0
    for k, (r_out, s_out, held) in enumerate(zip(rt.outputs, t.outputs, t.kept)):
        v = fn(ref=r_out, sub=s_out, test=test, seed=seed, held_out=dict(held))
        if worst is None or v.fraction < worst.fraction:
            worst, worst_k = v, k
    n = len(t.outputs)
    if n > 1 and worst.fraction < 1.0:
        worst = Verdict(worst.fraction, f"on data set {worst_k + 1} of {n} (each drawn afresh by the "
                                        f"grader): {worst.message}", worst.details)
    return worst


register(CheckKind("allclose", AllcloseOptions, _allclose,
                   "Every non-diag observation equals the reference's within atol + rtol |e|; "
                   "shapes must match, integers stay integers, strings/bools/None compare exactly."))
register(CheckKind("gradient", GradientOptions, _gradient,
                   "Every non-diag observation is a gradient: relative error <= rtol per element, "
                   "or an absolute difference <= atol; diag.fd.<key> is shown as a diagnostic."))
register(CheckKind("speed", SpeedOptions, _speed,
                   "Timed outputs right, and the submission's time (taken by the trusted parent) "
                   "at most factor x the reference's."))
register(CheckKind("memory", MemoryOptions, _memory,
                   "Timed outputs right, and the extra peak memory at most max_fraction x full_bytes."))
register(CheckKind("custom", CustomOptions, _custom,
                   "A topic's own verdict function in verdicts.py: fn(*, ref, sub, test, seed) -> Verdict. "
                   "With [tests.timing] feed = \"fn\" the probe is fed: the parent runs probes.fn(rng) on a "
                   "secret stream, sends the arrays not named _x, and the verdict also gets "
                   "held_out={x: ...} (the _x arrays, never sent); ref/sub are what the call returned."))
