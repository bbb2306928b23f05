"""The gradebook: a real database (SQLite by default, any SQLAlchemy URL, e.g. PostgreSQL).

One row per (student, topic, submission content hash, grader version). A row is committed as soon
as its submission is graded, so a batch killed half-way keeps everything already graded and the
next run of the same batch skips it.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (BigInteger, Column, DateTime, Float, Integer, MetaData, String, Table, UniqueConstraint,
                        create_engine, select)
from sqlalchemy.exc import IntegrityError

from autograder import __version__

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
    UniqueConstraint("student", "topic", "sha256", "grader_version", name="uq_grade"),
)


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


class Gradebook:
    def __init__(self, url: str):
        self.url = _url(url)
        if self.url.startswith("sqlite:///"):
            Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(self.url, future=True)
        metadata.create_all(self.engine)
        self._lock = threading.Lock()

    def has(self, *, student: str, topic: str, sha256: str, version: str) -> Row | None:
        q = select(grades).where(grades.c.student == student, grades.c.topic == topic,
                                 grades.c.sha256 == sha256, grades.c.grader_version == version)
        with self.engine.connect() as c:
            r = c.execute(q).mappings().first()
        return Row(**{k: r[k] for k in Row.__dataclass_fields__}) if r else None

    def record(self, *, student: str, topic: str, sha256: str, version: str, score: float,
               max_score: float, seed: int, sandbox: str, report_path: str) -> bool:
        """Insert one graded submission and commit at once. False if it was already there."""
        row = dict(student=student, topic=topic, sha256=sha256, grader_version=version,
                   score=float(score), max_score=float(max_score), seed=int(seed), sandbox=sandbox,
                   graded_at=datetime.now(timezone.utc), report_path=str(report_path))
        with self._lock:
            try:
                with self.engine.begin() as c:  # one transaction per row
                    c.execute(grades.insert().values(**row))
                return True
            except IntegrityError:
                return False

    def rows(self, topic: str | None = None) -> list[Row]:
        q = select(grades).order_by(grades.c.graded_at, grades.c.id)
        if topic:
            q = q.where(grades.c.topic == topic)
        with self.engine.connect() as c:
            return [Row(**{k: r[k] for k in Row.__dataclass_fields__})
                    for r in c.execute(q).mappings()]

    def close(self) -> None:
        self.engine.dispose()


def table(*, gradebook: str, policy: str = "latest"):
    """A pandas DataFrame: one row per student, one column per topic.

    ``policy="latest"`` (the default) takes the most recently graded submission of each student
    for each topic (what a student handed in last counts, as on an LMS); ``policy="best"`` takes
    the highest score over all graded submissions. Scores are points (not percent)."""
    import pandas as pd

    if policy not in ("latest", "best"):
        raise ValueError("policy must be 'latest' or 'best'")
    gb = Gradebook(gradebook)
    try:
        rows = gb.rows()
    finally:
        gb.close()
    df = pd.DataFrame([r.__dict__ for r in rows],
                      columns=list(Row.__dataclass_fields__))
    if df.empty:
        return pd.DataFrame(index=pd.Index([], name="student"))
    df = df.sort_values(["graded_at"], kind="stable")
    if policy == "latest":
        picked = df.groupby(["student", "topic"]).tail(1)
    else:
        picked = df.sort_values(["score", "graded_at"], kind="stable").groupby(
            ["student", "topic"]).tail(1)
    wide = picked.pivot(index="student", columns="topic", values="score").sort_index()
    wide.columns.name = None
    return wide


def export(*, gradebook: str, format: str = "csv", out: str | Path | None = None,
           policy: str = "latest") -> str:
    """Write (or return) the gradebook as one row per student, one column per topic."""
    df = table(gradebook=gradebook, policy=policy)
    if format == "csv":
        text = df.to_csv()
    elif format == "json":
        text = df.to_json(orient="index", indent=2)
    else:
        raise ValueError("format must be 'csv' or 'json'")
    if out:
        Path(out).write_text(text)
    return text
