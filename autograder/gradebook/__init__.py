"""The gradebook: a real database (SQLite by default, any SQLAlchemy URL, e.g. PostgreSQL).

One row per (student, topic, submission content hash, grader version). A row is committed as soon
as its submission is graded, so a batch killed half-way keeps everything already graded and the
next run of the same batch skips it.

Besides the score, a row keeps what the LMS said (name, user id, submission id, the file's time and
late flag), the late deduction (``raw_score`` before it, ``penalty_percent``), the per-test scores
(``tests``: JSON ``[{"id", "name", "score", "max_score", "status"}]``), the sandbox, the seed and
the grader version.

Two grading runs into one gradebook grade each submission once: a run first *claims* it (a row in
``claims`` keyed like a grade, naming the run's host, pid and token); the grade row is written and
the claim removed in one transaction. A second run that finds the claim waits for the grade (and
returns that report), or takes the claim over when its owner is no longer running (a grader that
was SIGKILLed). A submission whose grading hit a grader fault is never recorded: its claim is
released and the next run grades it. Databases written by older versions get the new columns on open (``ALTER TABLE
... ADD COLUMN``, all nullable), so old rows stay and read back with empty LMS fields.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, create_engine, delete, inspect, select, text)
from sqlalchemy.exc import IntegrityError

from autograder import __version__
from autograder.errors import UserError

metadata = MetaData()
grades = Table(
    "grades", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("grader_version", String(100), nullable=False),
    Column("score", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("sandbox", String(50), nullable=False),
    Column("graded_at", DateTime(timezone=True), nullable=False),
    Column("report_path", String(1000), nullable=False),
    # Added in grader 0.2 (migrated in place on older databases: every one is nullable).
    Column("name", String(200)),
    Column("lms", String(20)),
    Column("user_id", String(100)),
    Column("submission_id", String(100)),
    Column("submitted_at", DateTime(timezone=True)),
    Column("late", Boolean),
    Column("days_late", Integer),
    Column("penalty_percent", Float),
    Column("raw_score", Float),
    Column("tests", Text),
    UniqueConstraint("student", "topic", "sha256", "grader_version", name="uq_grade"),
)


claims = Table(
    "claims", metadata,
    Column("student", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("grader_version", String(100), nullable=False),
    Column("owner", String(300), nullable=False),  # "<host> <pid> <token>" of the grading run
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("student", "topic", "sha256", "grader_version", name="uq_claim"),
)


def run_owner() -> str:
    """This grading run's name in ``claims``: host, pid and a fresh token."""
    return f"{socket.gethostname()[:200]} {os.getpid()} {secrets.token_hex(8)}"


def _owner_gone(owner: str) -> bool:
    """Is the run that holds a claim no longer running? Only answerable for this host's runs;
    a claim of another host is taken as held."""
    try:
        host, pid, _ = owner.split(" ")
        pid = int(pid)
    except ValueError:
        return True
    if host != socket.gethostname()[:200]:
        return False
    if pid == os.getpid():
        return False  # this process: another thread of the same run... or a dead earlier token
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def grader_version(topic) -> str:
    """The engine's version plus a hash of the topic's hidden files: changing the reference, the
    probes, the verdicts or the manifest makes earlier grades stale (they are graded again)."""
    h = hashlib.sha256()
    for name in ("manifest.toml", "reference.py", "probes.py", "verdicts.py"):
        p = Path(topic.reference_dir) / name
        if p.is_file():
            h.update(name.encode() + b"\0" + p.read_bytes() + b"\0")
    return f"{__version__}+{h.hexdigest()[:12]}"


def default_url(out: str | Path) -> str:
    return f"sqlite:///{Path(out).resolve() / 'gradebook.sqlite'}"


def _url(url: str) -> str:
    # A bare path is taken as a SQLite file.
    return url if "://" in url else f"sqlite:///{Path(url).resolve()}"


@dataclass
class Row:
    student: str
    topic: str
    sha256: str
    grader_version: str
    score: float
    max_score: float
    seed: int
    sandbox: str
    graded_at: datetime
    report_path: str
    name: str | None = None
    lms: str | None = None
    user_id: str | None = None
    submission_id: str | None = None
    submitted_at: datetime | None = None
    late: bool | None = None
    days_late: int | None = None
    penalty_percent: float | None = None
    raw_score: float | None = None
    tests: str | None = None

    def test_scores(self) -> list[dict]:
        import json

        try:
            data = json.loads(self.tests or "[]")
        except ValueError:
            return []
        return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []


def _migrate(engine) -> None:
    """Add the columns newer versions keep to a ``grades`` table made by an older one."""
    have = {c["name"] for c in inspect(engine).get_columns("grades")}
    missing = [c for c in grades.columns if c.name not in have]
    if not missing:
        return
    with engine.begin() as conn:
        for col in missing:
            conn.execute(text(f"ALTER TABLE grades ADD COLUMN {col.name} "
                              f"{col.type.compile(dialect=engine.dialect)}"))


class GradebookMissing(UserError):
    """A gradebook to read does not exist (never created empty by reading it)."""


class Gradebook:
    def __init__(self, url: str, *, create: bool = True):
        self.url = _url(url)
        if self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///"):])
            if not create and not path.is_file():
                raise GradebookMissing(f"gradebook {path} does not exist (grade into --out first; "
                                       f"the gradebook is <out>/gradebook.sqlite)")
            if create:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise UserError(f"gradebook {path}: cannot create its folder ({exc.strerror})") from None
        # SQLite shared by two runs: wait for the other's write instead of failing at once.
        args = {"timeout": 60} if self.url.startswith("sqlite") else {}
        self.engine = create_engine(self.url, future=True, connect_args=args)
        try:
            if create:
                metadata.create_all(self.engine)
            elif not inspect(self.engine).has_table("grades"):
                raise GradebookMissing(f"{url} holds no gradebook (no grades table)")
            _migrate(self.engine)
        except UserError:
            self.engine.dispose()
            raise
        except Exception as exc:  # noqa: BLE001 - not a database, a locked or unreadable file
            self.engine.dispose()
            raise UserError(f"gradebook {url} cannot be opened: {str(exc).splitlines()[0][:200]}") from None
        self._lock = threading.Lock()

    def has(self, *, student: str, topic: str, sha256: str, version: str) -> Row | None:
        q = select(grades).where(grades.c.student == student, grades.c.topic == topic,
                                 grades.c.sha256 == sha256, grades.c.grader_version == version)
        with self.engine.connect() as c:
            r = c.execute(q).mappings().first()
        return Row(**{k: r[k] for k in Row.__dataclass_fields__}) if r else None

    def record(self, *, student: str, topic: str, sha256: str, version: str, score: float,
               max_score: float, seed: int, sandbox: str, report_path: str, force: bool = False,
               owner: str | None = None, **extra) -> bool:
        """Insert one graded submission and commit at once. False if it was already there (with
        ``force``, the earlier row of the same key is replaced). ``extra``: the optional columns
        (name, lms, user_id, submission_id, submitted_at, late, days_late, penalty_percent,
        raw_score, tests)."""
        unknown = set(extra) - {c.name for c in grades.columns}
        if unknown:
            raise TypeError(f"unknown gradebook columns {sorted(unknown)}")
        row = dict(student=student, topic=topic, sha256=sha256, grader_version=version,
                   score=float(score), max_score=float(max_score), seed=int(seed), sandbox=sandbox,
                   graded_at=datetime.now(timezone.utc), report_path=str(report_path), **extra)
        with self._lock:
            try:
                with self.engine.begin() as c:  # one transaction per row
                    if force:
                        c.execute(delete(grades).where(
                            grades.c.student == student, grades.c.topic == topic,
                            grades.c.sha256 == sha256, grades.c.grader_version == version))
                    c.execute(grades.insert().values(**row))
                    if owner is not None:  # the grade and the end of the claim, together
                        c.execute(delete(claims).where(*self._key(student, topic, sha256, version),
                                                       claims.c.owner == owner))
                return True
            except IntegrityError:
                if owner is not None:
                    with self.engine.begin() as c:
                        c.execute(delete(claims).where(*self._key(student, topic, sha256, version),
                                                       claims.c.owner == owner))
                return False

    def _key(self, student, topic, sha256, version, table=None):
        t = table if table is not None else claims
        return (t.c.student == student, t.c.topic == topic, t.c.sha256 == sha256,
                t.c.grader_version == version)

    def claim(self, *, student: str, topic: str, sha256: str, version: str, owner: str,
              force: bool = False) -> str:
        """Claim a submission for grading by ``owner`` (see :func:`run_owner`): "mine" (grade it),
        "done" (a grade is already recorded; not with ``force``) or "busy" (another live run holds
        it). A claim whose owner is gone is taken over."""
        now = datetime.now(timezone.utc)
        with self._lock:
            for _ in range(5):
                with self.engine.connect() as c:
                    if not force and c.execute(select(grades.c.id).where(
                            *self._key(student, topic, sha256, version, grades))).first():
                        return "done"
                    held = c.execute(select(claims.c.owner).where(
                        *self._key(student, topic, sha256, version))).first()
                if held is None:
                    try:
                        with self.engine.begin() as c:
                            c.execute(claims.insert().values(
                                student=student, topic=topic, sha256=sha256,
                                grader_version=version, owner=owner, claimed_at=now))
                        return "mine"
                    except IntegrityError:
                        continue  # another run claimed it meanwhile: look again
                if held.owner == owner:
                    return "mine"
                if not _owner_gone(held.owner):
                    return "busy"
                with self.engine.begin() as c:  # take over the claim of a run that is gone
                    n = c.execute(claims.update().where(
                        *self._key(student, topic, sha256, version),
                        claims.c.owner == held.owner).values(owner=owner, claimed_at=now)).rowcount
                if n == 1:
                    return "mine"
            return "busy"

    def release(self, *, student: str, topic: str, sha256: str, version: str, owner: str) -> None:
        """Give a claim back without a grade (a grader fault: the next run grades it)."""
        with self._lock, self.engine.begin() as c:
            c.execute(delete(claims).where(*self._key(student, topic, sha256, version),
                                           claims.c.owner == owner))

    def rows(self, topic: str | None = None) -> list[Row]:
        q = select(grades).order_by(grades.c.graded_at, grades.c.id)
        if topic:
            q = q.where(grades.c.topic == topic)
        with self.engine.connect() as c:
            return [Row(**{k: r[k] for k in Row.__dataclass_fields__})
                    for r in c.execute(q).mappings()]

    def close(self) -> None:
        self.engine.dispose()


def picked(*, gradebook: str, policy: str = "latest", topic: str | None = None) -> list[Row]:
    """The row that counts for each (student, topic): the most recently graded (``latest``) or
    the highest score (``best``). Reads an existing gradebook only (never creates one)."""
    if policy not in ("latest", "best"):
        raise UserError("policy must be 'latest' or 'best'")
    gb = Gradebook(gradebook, create=False)
    try:
        rows = gb.rows(topic)
    finally:
        gb.close()
    chosen: dict[tuple[str, str], Row] = {}
    for r in rows:  # ordered by graded_at
        key = (r.student, r.topic)
        if key not in chosen or policy == "latest" or r.score >= chosen[key].score:
            chosen[key] = r
    return [chosen[k] for k in sorted(chosen)]


def table(*, gradebook: str, policy: str = "latest"):
    """A pandas DataFrame: one row per student, one column per topic.

    ``policy="latest"`` (the default) takes the most recently graded submission of each student
    for each topic (what a student handed in last counts, as on an LMS); ``policy="best"`` takes
    the highest score over all graded submissions. Scores are points after any late deduction."""
    import pandas as pd

    rows = picked(gradebook=gradebook, policy=policy)
    if not rows:
        return pd.DataFrame(index=pd.Index([], name="student"))
    df = pd.DataFrame([{"student": r.student, "topic": r.topic, "score": r.score} for r in rows])
    wide = df.pivot(index="student", columns="topic", values="score").sort_index()
    wide.columns.name = None
    return wide


FORMATS = ("csv", "json", "canvas", "tests")


def _one_topic(rows: list[Row], topic: str | None, what: str) -> str:
    topics = sorted({r.topic for r in rows})
    if topic:
        return topic
    if len(topics) != 1:
        raise UserError(f"the {what} export is for one assignment: give --topic (the gradebook "
                        f"holds {', '.join(topics) or 'no grades'})")
    return topics[0]


def canvas_rows(rows: list[Row], *, column: str, points: float) -> list[list]:
    """Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID, Section, then
    one column per assignment headed "Name (assignment id)", and a "Points Possible" row under the
    header. Canvas matches students by ID (its user id, from the submission zip's file names)."""
    out = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
           ["    Points Possible", "", "", "", "", points]]
    for r in sorted(rows, key=lambda r: ((r.name or r.student).lower(), r.student)):
        out.append([r.name or r.student, r.user_id or "", "", "", "", r.score])
    return out


def tests_rows(rows: list[Row]) -> list[list]:
    """One row per student: identity, lateness, raw and recorded score, then one column per test
    (header ``<test id> (<points>)``)."""
    order: list[tuple[str, float]] = []
    for r in rows:
        for t in r.test_scores():
            key = (str(t.get("id")), float(t.get("max_score") or 0))
            if key[0] not in [k for k, _ in order]:
                order.append(key)
    head = ["student", "name", "lms", "user_id", "submission_id", "topic", "submitted_at", "late",
            "days_late", "penalty_percent", "raw_score", "score", "max_score", "graded_at", "sandbox",
            "seed", "grader_version"] + [f"{k} ({m:g})" for k, m in order]
    out = [head]
    for r in sorted(rows, key=lambda r: (r.student, r.topic)):
        by = {str(t.get("id")): t for t in r.test_scores()}
        out.append([r.student, r.name, r.lms, r.user_id, r.submission_id, r.topic,
                    r.submitted_at.isoformat() if r.submitted_at else "", r.late, r.days_late,
                    r.penalty_percent, r.score if r.raw_score is None else r.raw_score, r.score,
                    r.max_score, r.graded_at.isoformat() if r.graded_at else "", r.sandbox, r.seed,
                    r.grader_version] + [by[k].get("score", "") if k in by else "" for k, _ in order])
    return out


def export(*, gradebook: str, format: str = "csv", out: str | Path | None = None,
           policy: str = "latest", topic: str | None = None, assignment: str | None = None,
           course: str | Path | None = None) -> str:
    """Write (or return) the gradebook.

    ``csv``/``json``: one row per student, one column per topic. ``canvas``: the file Canvas's
    gradebook import takes, for one ``topic``; its column is ``assignment`` ("Name (id)"), else
    the course config's ``canvas`` name for the topic, else the topic. ``tests``: per-test scores
    of one topic with identity and lateness."""
    from autograder.report.sanitize import csv_text

    if format not in FORMATS:
        raise UserError(f"format must be one of {', '.join(FORMATS)}")
    if topic:
        from autograder.topics import get_topic

        try:
            topic = get_topic(topic).name
        except KeyError:
            pass  # a topic that is no longer in the tree can still be exported by its full name
    if format in ("csv", "json"):
        df = table(gradebook=gradebook, policy=policy)
        if topic:
            df = df[[topic]] if topic in df.columns else df.iloc[:, :0]
        if format == "csv":
            text = csv_text([[df.index.name or "student", *df.columns]] + [
                [idx, *("" if v != v else float(v) for v in row)] for idx, row in zip(df.index, df.values)])
        else:
            text = df.to_json(orient="index", indent=2)
    else:
        rows = picked(gradebook=gradebook, policy=policy)
        topic = _one_topic(rows, topic, format)
        rows = [r for r in rows if r.topic == topic]
        if format == "canvas":
            column = assignment
            if column is None:
                from autograder.course import load_course
                from autograder.topics import get_topic

                try:
                    column = load_course(course).assignment(get_topic(topic)).canvas
                except KeyError:
                    column = None
            points = max((r.max_score for r in rows), default=0.0)
            text = csv_text(canvas_rows(rows, column=column or topic, points=points))
        else:
            text = csv_text(tests_rows(rows))
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {out}: {exc.strerror}") from None
    return text
