"""Verdicts: computed in the trusted grader from two sets of observations (reference and
submission). Nothing here runs in, or trusts, the student's process."""
from __future__ import annotations

import importlib.util
import re
import traceback
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

from autograder.checks import Verdict
from autograder.checks.forbidden import Finding
from autograder.checks import gradients as _gradients
from autograder.checks import registry
from autograder.probe import Observations, ProbeObs
from autograder.topics import TestSpec, Topic

GRADER_ERROR = "grader_error"
FD_AGREES = _gradients.FD_AGREES  # kept for callers that read it here


@dataclass
class TestResult:
    id: str
    name: str
    kind: str
    score: float
    max_score: float
    status: str  # "passed", "failed", "not_run" or "grader_error"
    output: str
    visibility: str = "visible"
    details: dict = field(default_factory=dict)


def load_verdicts(topic: Topic) -> ModuleType | None:
    path = topic.reference_dir / "verdicts.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"verdicts_{topic.name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _explain_error(obs: ProbeObs) -> str:
    err = obs.error or "unknown error"
    m = re.search(r"AttributeError: module 'submission' has no attribute '(\w+)'", err)
    if m:
        return f"`{m.group(1)}` is not defined in your notebook (check its name and that its cell runs)"
    if obs.kind == "NotImplementedError":
        from autograder.notebook.labels import describe_error

        return f"not implemented yet: {describe_error(err, obs.traceback)}"
    if obs.kind == "Timeout":
        return f"took too long: {err}"
    if obs.kind and "MemoryError" in obs.kind:
        return "ran out of memory (the memory limit was reached)"
    if obs.kind == "ForbiddenAPIError":
        return f"used a forbidden API: {err}"
    from autograder.notebook.labels import describe_error

    text = f"your code raised {describe_error(err, obs.traceback)}"
    if obs.traceback:
        tail = [ln for ln in obs.traceback.strip().splitlines() if ln.strip()][-6:]
        text += "\n" + "\n".join(tail)
    return text


def _missing_reason(sub: Observations) -> str:
    run = sub.run
    if run.killed_reason:
        return f"the grading process was stopped: {run.killed_reason}"
    if sub.cells is None:
        return (f"your notebook's code ended the grading process while its cells ran "
                f"(exit code {run.returncode}); do not call exit() or os._exit() in the notebook")
    return (f"the grading process ended before this test finished (exit code {run.returncode}); "
            f"do not call exit() or os._exit() in your functions")


def _cell_errors(sub: Observations) -> str:
    if not sub.cells:
        return ""
    errs = [c for c in sub.cells if isinstance(c, dict) and c.get("status") == "error"]
    if not errs:
        return ""
    # The errors themselves are listed once in the report's notes, not on every test: here only
    # which cell and what kind of error, so the reason a function is missing is still in view.
    def kind(c):
        k = c.get("kind") or str(c.get("error") or "").partition(":")[0]
        return re.sub(r"[^\w.]", "", str(k))[:60] or "an error"

    cells = "; ".join(f"code cell {c.get('index')} raised {kind(c)}" for c in errs[:3])
    return f"\n(Earlier, {cells}: see the notes at the top.)"


def check(test: TestSpec, ref: ProbeObs, sub: ProbeObs, *, verdicts: ModuleType | None,
          seed: int) -> Verdict:
    """The verdict of one test: the registered check kind named by ``test.check``
    (autograder/checks/registry.py)."""
    return registry.decide(test, ref, sub, verdicts=verdicts, seed=seed)


def _no_warnings(v: Verdict, sp: ProbeObs) -> Verdict:
    """A test whose stub promises a numerically stable function ("no warnings", "exp only sees
    non-positive numbers") fails when the student's own cells raised a floating-point warning
    (overflow in exp, log of 0, 0/0) during the probe, even if the values came out right."""
    own = [w for w in sp.warnings if w.get("where") and w.get("category") == "RuntimeWarning"]
    if not own:
        return v
    w = own[0]
    msg = (f"your code raised a warning in {w['where']}: RuntimeWarning: {w['message']} "
           f"({len(own)} warning(s) in this test); this function must be numerically stable and "
           f"warning-free for these inputs (see the exercise text)")
    return Verdict(0.0, (v.message + "\n" + msg) if v.message else msg,
                   {**v.details, "warnings": own})


def judge(*, topic: Topic, ref: Observations, sub: Observations | None, fatal: str | None,
          findings: list[Finding], seed: int, has_gpu: bool = False) -> list[TestResult]:
    verdicts = load_verdicts(topic)
    violations = [f for f in findings if f.severity == "violation"]
    # Code the static scan cannot resolve (a computed import, eval/exec, a tree too deep to walk)
    # could reach a forbidden API around the run-time guard: hold the points for staff.
    reviews = [f for f in findings if f.severity == "review"]
    runtime = [v for v in (sub.violations if sub else []) if isinstance(v, dict)]
    results = []
    for test in topic.tests:
        r = TestResult(id=test.id, name=test.name, kind=test.kind, score=0.0,
                       max_score=float(test.points), status="failed", output="",
                       visibility=test.visibility)
        results.append(r)
        if fatal:
            r.output = fatal
            continue
        if test.requires == "cuda" and not has_gpu:
            r.status = "not_run"
            r.output = "not run: this test needs a CUDA GPU and the grading host has none"
            continue
        rp = ref.probes.get(test.id)
        if rp is None or rp.status != "ok":
            r.status = GRADER_ERROR
            r.output = ("GRADER ERROR (not your fault; course staff have been told): the reference "
                        f"failed this test: {rp.error if rp else 'no observations'}")
            continue
        if violations or runtime:
            what = violations[0].describe() if violations else (
                (f"{runtime[0].get('where') or 'your code'}: called forbidden {runtime[0].get('api')}"
                 if runtime[0].get("how") in ("call", "import", None) else str(runtime[0].get("how"))[:300]))
            r.output = f"scored zero: this exercise must be written from scratch; {what}"
            continue
        if reviews:
            r.output = ("held for review by course staff (scored zero until then): this exercise "
                        "must be written from scratch and this code cannot be checked automatically; "
                        + reviews[0].describe())
            continue
        sp = sub.probes.get(test.id)
        if sp is None or sp.status == "missing":
            r.output = _missing_reason(sub) + _cell_errors(sub)
            continue
        if sp.status != "ok":
            r.output = _explain_error(sp)  # a cell's own errors are in the notes, once
            if "is not defined in your notebook" in r.output:
                r.output += _cell_errors(sub)  # why it is missing: a cell that failed
            continue
        try:
            v = check(test, rp, sp, verdicts=verdicts, seed=seed)
        except Exception as exc:  # noqa: BLE001 - a verdict that crashes is the grader's fault
            r.status = GRADER_ERROR
            r.output = (f"GRADER ERROR (not your fault): the verdict for this test crashed: "
                        f"{type(exc).__name__}: {exc}")
            r.details["grader_traceback"] = traceback.format_exc()[-2000:]
            continue
        if test.options.get("no_warnings"):
            v = _no_warnings(v, sp)
        frac = float(np.clip(v.fraction, 0.0, 1.0)) if np.isfinite(v.fraction) else 0.0
        r.score = round(frac * r.max_score, 4)
        r.status = "passed" if frac >= 1.0 else "failed"
        r.output = v.message or ("passed" if frac >= 1.0 else "failed")
        r.details = {**v.details, **r.details}
    return results
