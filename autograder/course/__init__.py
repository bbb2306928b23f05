"""The course config (``course.toml``): late policy, due dates and LMS column names per assignment.

    [late]                              # the default for every assignment
    policy = "per_day"                  # "none" (recorded, no deduction) | "per_day" | "zero"
    percent_per_day = 10                # per started day late (per_day)
    max_percent = 50                    # the deduction never exceeds this (per_day)
    grace_minutes = 15                  # this long after the due time is not late

    [assignments."09_neural_network"]  # the topic's folder name (or its number, "09")
    due = 2026-11-20T23:59:00Z          # a TOML date-time; without an offset it is UTC
    canvas = "Neural network (4211)"    # the Canvas gradebook column, "Name (assignment id)"
    late = { percent_per_day = 20 }     # overrides of [late] for this assignment

Which file is read: ``--course FILE``, else ``course.toml`` in the current folder, else none (no
late policy: late submissions are recorded as late and keep their points).

Days late: with a due date and the LMS's timestamp of the file, every started day after the due
time (and the grace period) is one day. Canvas's own ``_late_`` flag is authoritative (Canvas knows
extensions we do not): a file Canvas did not flag is on time, and a flagged one is at least one day
late. Without a due date or a timestamp, a flagged file counts as one day late.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autograder.errors import UserError

POLICIES = ("none", "per_day", "zero")


@dataclass(frozen=True)
class LatePolicy:
    policy: str = "none"
    percent_per_day: float = 0.0
    max_percent: float = 100.0
    grace_minutes: float = 0.0

    def __post_init__(self):
        if self.policy not in POLICIES:
            raise UserError(f"late policy {self.policy!r} is not one of {', '.join(POLICIES)}")
        for name in ("percent_per_day", "max_percent", "grace_minutes"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or not math.isfinite(v):
                raise UserError(f"late policy: {name} must be a number >= 0, not {v!r}")

    def percent(self, days: int) -> float:
        if days <= 0 or self.policy == "none":
            return 0.0
        if self.policy == "zero":
            return 100.0
        return float(min(self.max_percent, 100.0, days * self.percent_per_day))

    def describe(self) -> str:
        if self.policy == "none":
            return "no deduction for late work"
        grace = f", {self.grace_minutes:g} min grace" if self.grace_minutes else ""
        if self.policy == "zero":
            return f"late work scores zero{grace}"
        return f"{self.percent_per_day:g}% per day late, at most {self.max_percent:g}%{grace}"


@dataclass(frozen=True)
class Assignment:
    due: datetime | None = None
    canvas: str | None = None
    late: LatePolicy = field(default_factory=LatePolicy)


@dataclass(frozen=True)
class Course:
    late: LatePolicy = field(default_factory=LatePolicy)
    assignments: dict = field(default_factory=dict)  # key: topic name or number
    path: str | None = None

    def assignment(self, topic) -> Assignment:
        """The settings for ``topic`` (a Topic): its own entry, else the course defaults."""
        for key in (topic.name, topic.number, str(int(topic.number)) if topic.number.isdigit() else None):
            if key and key in self.assignments:
                return self.assignments[key]
        return Assignment(late=self.late)


def _policy(raw, base: LatePolicy | None = None) -> LatePolicy:
    if not isinstance(raw, dict):
        raise UserError("course config: [late] must be a table")
    known = set(LatePolicy.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise UserError(f"course config: unknown late setting(s) {sorted(unknown)}; known: {sorted(known)}")
    merged = {**(base.__dict__ if base else {}), **raw}
    return LatePolicy(**merged)


def _due(value, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise UserError(f"course config: {where}.due {value!r} is not a date-time") from None
    if not isinstance(value, datetime):
        raise UserError(f"course config: {where}.due must be a date-time like 2026-11-20T23:59:00Z")
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def load_course(path: str | Path | None = None) -> Course:
    """The course config at ``path``; with None, ``./course.toml`` if present, else defaults."""
    if path is None:
        cand = Path("course.toml")
        if not cand.is_file():
            return Course()
        path = cand
    p = Path(path)
    if not p.is_file():
        raise UserError(f"course config {p} does not exist")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"course config {p} is not valid TOML: {exc}") from None
    late = _policy(data.get("late", {}))
    assignments = {}
    for key, raw in (data.get("assignments") or {}).items():
        if not isinstance(raw, dict):
            raise UserError(f"course config: assignments.{key} must be a table")
        canvas = raw.get("canvas")
        if canvas is not None and not isinstance(canvas, str):
            raise UserError(f"course config: assignments.{key}.canvas must be a string")
        assignments[str(key)] = Assignment(due=_due(raw.get("due"), f"assignments.{key}"), canvas=canvas,
                                           late=_policy(raw.get("late", {}), late))
    return Course(late=late, assignments=assignments, path=str(p))


def lateness(*, assignment: Assignment, submitted_at: datetime | None, lms_late: bool,
             lms: str) -> dict:
    """Plain data for the report and the gradebook: late, days, percent deducted, and why."""
    pol = assignment.late
    days, how = 0, ""
    if assignment.due and submitted_at:
        delta = submitted_at - assignment.due - timedelta(minutes=pol.grace_minutes)
        days = max(0, math.ceil(delta.total_seconds() / 86400))
        how = f"submitted {submitted_at:%Y-%m-%d %H:%M} UTC, due {assignment.due.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
    if lms == "canvas":  # Canvas's flag decides whether it is late; the times only say how late
        days = max(1, days) if lms_late else 0
        if lms_late and not how:
            how = "marked late by Canvas (no due date configured: counted as 1 day)"
    elif lms_late and days == 0 and not (assignment.due and submitted_at):
        days, how = 1, "marked late by the LMS (counted as 1 day)"
    pct = pol.percent(days)
    return {"late": days > 0, "days": days, "percent": pct, "policy": pol.describe(), "how": how}
