"""Reports: ``results.json`` in Gradescope's results schema, plus a short text summary."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import __version__
from autograder.verdict import GRADER_ERROR, TestResult

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
        return "\n".join(lines) + "\n"

    def to_gradescope(self) -> dict:
        tests = []
        for t in self.tests:
            name = t.name if t.status in ("passed", "failed") else f"{t.name} [{t.status.replace('_', ' ')}]"
            entry = {"name": name, "score": t.score, "max_score": t.max_score,
                     "status": _GS_STATUS.get(t.status, "failed"), "output": t.output,
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
                           "grader_errors": self.grader_errors, "notes": self.notes,
                           "raw_score": self.raw_score, "late": _plain(self.late),
                           "submission_info": _plain(self.info)},
        }


def _plain(obj):
    """Details made JSON-safe (arrays to lists, non-finite floats to strings)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float) and not np.isfinite(obj):
        return str(obj)
    return obj


def write_report(report: Report, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(report.to_gradescope(), indent=2, allow_nan=False))
    (out_dir / "summary.txt").write_text(report.summary())
    from autograder.report.html import write_html

    try:
        write_html(report, out_dir / "report.html")
    except Exception as exc:  # noqa: BLE001 - a picture that fails must not lose the grade
        import html

        (out_dir / "report.html").write_text(
            f"<!DOCTYPE html><html><body><h1>{html.escape(report.submission)}: {report.score:g} / "
            f"{report.max_score:g}</h1><p>The detailed page could not be drawn "
            f"({html.escape(type(exc).__name__)}); see summary.txt.</p><pre>"
            f"{html.escape(report.summary())}</pre></body></html>", encoding="utf-8")
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
                      late=dict(ex.get("late") or {}), info=dict(ex.get("submission_info") or {}))
    except (OSError, ValueError, KeyError, TypeError):
        return None
