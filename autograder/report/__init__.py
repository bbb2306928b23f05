"""Reports: ``results.json`` in Gradescope's results schema, plus a short text summary.

Every file is written atomically (a temporary file in the same folder, then renamed over the old
one): a crash or a full disk leaves the previous report or none, never a truncated one. Text that
came from a submission is cleaned where it is written (:func:`autograder.report.sanitize.clean_text`)
and long arrays in test details are cut to ``MAX_DETAIL_ITEMS`` evenly spaced values.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import __version__
from autograder.report.sanitize import clean_text
from autograder.verdict import GRADER_ERROR, TestResult

MAX_DETAIL_ITEMS = 2000  # values of one array kept in a report (a curve stays drawable)
MAX_DETAIL_DEPTH = 12

# Gradescope knows "passed" and "failed" only; the finer status travels in extra_data and the name.
_GS_STATUS = {"passed": "passed", "failed": "failed", "not_run": "failed", GRADER_ERROR: "failed"}


@dataclass
class Report:
    submission: str
    topic: str
    sha256: str
    seed: int
    sandbox: str
    isolation: str
    execution_time: float
    tests: list[TestResult]
    notes: list[str] = field(default_factory=list)
    device: str | None = None
    cached: bool = False  # read back from an earlier run (already in the gradebook), not graded now
    # A grader fault (not the student's doing): "error" (a stage of the grader failed), "outside"
    # (the sandbox was killed from outside), "outage" (the sandbox engine went away), "busy"
    # (another run holds it). Such a report is never recorded in the gradebook: the next run
    # grades the submission again.
    fault: str | None = None
    late: dict = field(default_factory=dict)  # autograder.course.lateness(): late, days, percent, ...
    info: dict = field(default_factory=dict)  # autograder.collect.Intake.info(): LMS name and ids

    @property
    def raw_score(self) -> float:
        """The points the tests gave, before any late deduction."""
        return round(sum(t.score for t in self.tests), 4)

    @property
    def penalty_percent(self) -> float:
        try:
            return float(min(100.0, max(0.0, float(self.late.get("percent", 0.0)))))
        except (TypeError, ValueError, AttributeError):
            return 0.0

    @property
    def score(self) -> float:
        """The recorded score: the raw score less the late deduction."""
        return round(self.raw_score * (1.0 - self.penalty_percent / 100.0), 4)

    def late_line(self) -> str:
        """One line on lateness for reports ("" when on time)."""
        if not self.late.get("late"):
            return ""
        days = self.late.get("days", 0)
        how = f" ({self.late['how']})" if self.late.get("how") else ""
        return (f"late by {days} day{'s' if days != 1 else ''}{how}: {self.penalty_percent:g}% deducted "
                f"under the course policy ({self.late.get('policy', '')}); "
                f"{self.raw_score:g} points before the deduction")

    @property
    def max_score(self) -> float:
        # Tests not run (no GPU here) are shown apart and do not count against the student.
        return round(sum(t.max_score for t in self.tests if t.status != "not_run"), 4)

    @property
    def not_run_points(self) -> float:
        return round(sum(t.max_score for t in self.tests if t.status == "not_run"), 4)

    @property
    def grader_errors(self) -> int:
        return sum(t.status == GRADER_ERROR for t in self.tests)

    def summary(self, *, public: bool = False) -> str:
        """The text summary; ``public`` leaves out the messages of tests that are not visible
        (their name and score only), for places students see before those tests are released."""
        lines = [f"{self.submission}: {self.score:g} / {self.max_score:g} points "
                 f"(topic {self.topic}, seed {self.seed}, sandbox: {self.sandbox})"]
        if self.late_line():
            lines.append(self.late_line())
        if "NOT ISOLATED" in self.isolation:
            lines.append("WARNING: " + self.isolation)
        if self.not_run_points:
            lines.append(f"not run on this host (no GPU): {self.not_run_points:g} points")
        if self.grader_errors:
            lines.append(f"GRADER ERRORS: {self.grader_errors} test(s) could not be graded; this is "
                         f"not the student's fault and needs course staff")
        lines += self.notes
        for t in self.tests:
            mark = {"passed": "PASS", "failed": "FAIL", "not_run": "NOT RUN",
                    GRADER_ERROR: "GRADER ERROR"}[t.status]
            lines.append(f"  [{mark}] {t.name}: {t.score:g}/{t.max_score:g}")
            if public and t.visibility != "visible":
                continue
            if t.status != "passed" and t.output:
                lines += ["      " + ln for ln in t.output.splitlines()[:8]]
        return clean_text("\n".join(lines) + "\n")

    def to_gradescope(self) -> dict:
        tests = []
        for t in self.tests:
            name = t.name if t.status in ("passed", "failed") else f"{t.name} [{t.status.replace('_', ' ')}]"
            entry = {"name": name, "score": t.score, "max_score": t.max_score,
                     "status": _GS_STATUS.get(t.status, "failed"), "output": clean_text(t.output),
                     "visibility": t.visibility, "tags": [t.kind],
                     "extra_data": {"id": t.id, "name": t.name, "status": t.status,
                                    "details": _plain(t.details)}}
            if t.status == "not_run":
                # Neither passed nor failed: no status (Gradescope shows it neutral) and its points
                # apart (max_score 0; the points it would carry are in extra_data).
                del entry["status"]
                entry.update(score=0.0, max_score=0.0)
                entry["extra_data"]["points_apart"] = t.max_score
            tests.append(entry)
        return {
            "score": self.score,
            "execution_time": round(self.execution_time, 3),
            "output": self.summary(public=True),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": {"topic": self.topic, "submission": self.submission, "sha256": self.sha256,
                           "seed": self.seed, "sandbox": self.sandbox, "isolation": self.isolation,
                           "device": self.device, "grader_version": __version__,
                           "max_score": self.max_score, "not_run_points": self.not_run_points,
                           "grader_errors": self.grader_errors, "fault": self.fault,
                           "notes": [clean_text(n) for n in self.notes],
                           "raw_score": self.raw_score, "late": _plain(self.late),
                           "submission_info": _plain(self.info)},
        }


def _plain(obj, depth: int = 0):
    """Details made JSON-safe (arrays to lists, non-finite floats to strings), long arrays cut to
    ``MAX_DETAIL_ITEMS`` evenly spaced values, text cleaned, nesting bounded."""
    if depth > MAX_DETAIL_DEPTH:
        return "(nested too deeply)"
    if isinstance(obj, dict):
        return {clean_text(k): _plain(v, depth + 1) for k, v in list(obj.items())[:MAX_DETAIL_ITEMS]}
    if isinstance(obj, np.ndarray):
        return _plain(_thin(obj.ravel() if obj.ndim > 1 and obj.size > MAX_DETAIL_ITEMS else obj).tolist(),
                      depth + 1)
    if isinstance(obj, (list, tuple)):
        return [_plain(v, depth + 1) for v in _thin(obj)]
    if isinstance(obj, np.generic):
        return _plain(obj.item(), depth + 1)
    if isinstance(obj, float) and not np.isfinite(obj):
        return str(obj)
    if isinstance(obj, str):
        return clean_text(obj[:20_000])
    return obj


def _thin(seq):
    """At most ``MAX_DETAIL_ITEMS`` evenly spaced items of ``seq`` (first and last kept)."""
    n = len(seq)
    if n <= MAX_DETAIL_ITEMS:
        return seq
    idx = np.linspace(0, n - 1, MAX_DETAIL_ITEMS).round().astype(int)
    return seq[idx] if isinstance(seq, np.ndarray) else [seq[i] for i in idx]


def cap_details(details: dict) -> dict:
    """``details`` with every array longer than ``MAX_DETAIL_ITEMS`` thinned (for the pages and
    pictures, which draw them; JSON gets :func:`_plain`)."""
    def cap(v, depth=0):
        if depth > MAX_DETAIL_DEPTH:
            return None
        if isinstance(v, np.ndarray) and v.size > MAX_DETAIL_ITEMS:
            return _thin(v.ravel() if v.ndim > 1 else v)
        if isinstance(v, (list, tuple)) and len(v) > MAX_DETAIL_ITEMS:
            return [cap(x, depth + 1) for x in _thin(list(v))]
        if isinstance(v, dict):
            return {k: cap(x, depth + 1) for k, x in v.items()}
        return v
    return cap(details) if isinstance(details, dict) else {}


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` whole or not at all (temporary file in the same folder, then rename).
    Text is written as UTF-8 with lone surrogates replaced: it never fails on a character."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_report(report: Report, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    for t in report.tests:
        t.details = cap_details(t.details)
    path = out_dir / "results.json"
    # ensure_ascii: a lone surrogate or a control character in a message is escaped, never raised on
    write_atomic(path, json.dumps(report.to_gradescope(), indent=2, allow_nan=False))
    write_atomic(out_dir / "summary.txt", report.summary())
    from autograder.report.html import render_html

    try:
        page = render_html(report)
    except Exception as exc:  # noqa: BLE001 - a picture that fails must not lose the grade
        import html

        page = (f"<!DOCTYPE html><html><body><h1>{html.escape(clean_text(report.submission))}: "
                f"{report.score:g} / {report.max_score:g}</h1><p>The detailed page could not be drawn "
                f"({html.escape(type(exc).__name__)}); see summary.txt.</p><pre>"
                f"{html.escape(report.summary())}</pre></body></html>")
    write_atomic(out_dir / "report.html", clean_text(page))  # escaped already; no raw controls
    return path


def load_report(path: Path) -> Report | None:
    """A Report read back from its ``results.json`` (None if missing or unreadable)."""
    try:
        data = json.loads(Path(path).read_text())
        ex = data["extra_data"]
        tests = []
        for t in data["tests"]:
            te = t.get("extra_data", {})
            tests.append(TestResult(id=te.get("id", t["name"]), name=te.get("name", t["name"]),
                                    kind=(t.get("tags") or ["?"])[0], score=float(t["score"]),
                                    max_score=float(t["max_score"]),
                                    status=te.get("status", t["status"]), output=t.get("output", ""),
                                    visibility=t.get("visibility", "visible"),
                                    details=te.get("details", {})))
        return Report(submission=ex["submission"], topic=ex["topic"], sha256=ex["sha256"],
                      seed=ex["seed"], sandbox=ex["sandbox"], isolation=ex.get("isolation", ""),
                      execution_time=float(data.get("execution_time", 0.0)), tests=tests,
                      notes=list(ex.get("notes", [])), device=ex.get("device"), cached=True,
                      late=dict(ex.get("late") or {}), info=dict(ex.get("submission_info") or {}),
                      fault=ex.get("fault"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
