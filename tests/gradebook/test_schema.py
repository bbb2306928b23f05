"""Gradebook schema: databases from older versions gain the new columns in place; --force
replaces a row; reading never creates a database."""
import sqlite3

import pytest

from autograder.errors import UserError
from autograder.gradebook import Gradebook, export, picked

OLD = """CREATE TABLE grades (id INTEGER PRIMARY KEY AUTOINCREMENT, student VARCHAR(200) NOT NULL,
topic VARCHAR(200) NOT NULL, sha256 VARCHAR(64) NOT NULL, grader_version VARCHAR(100) NOT NULL,
score FLOAT NOT NULL, max_score FLOAT NOT NULL, seed BIGINT NOT NULL, sandbox VARCHAR(50) NOT NULL,
graded_at DATETIME NOT NULL, report_path VARCHAR(1000) NOT NULL,
CONSTRAINT uq_grade UNIQUE (student, topic, sha256, grader_version))"""


def test_old_database_is_migrated(tmp_path):
    db = tmp_path / "gradebook.sqlite"
    con = sqlite3.connect(db)
    con.execute(OLD)
    con.execute("INSERT INTO grades (student, topic, sha256, grader_version, score, max_score, seed,"
                " sandbox, graded_at, report_path) VALUES ('ann', '10_dl_basics', 'a', 'v', 9, 13,"
                " 1, 'process', '2026-11-20 10:00:00', '-')")
    con.commit()
    con.close()
    gb = Gradebook(str(db))
    assert gb.record(student="ben", topic="10_dl_basics", sha256="b", version="v", score=10,
                     max_score=13, seed=2, sandbox="docker", report_path="-", user_id="77",
                     late=True, days_late=1, penalty_percent=10, raw_score=11.1,
                     tests='[{"id": "t1", "score": 10, "max_score": 13}]')
    rows = {r.student: r for r in gb.rows()}
    gb.close()
    assert rows["ann"].score == 9 and rows["ann"].user_id is None  # the old row is kept
    assert rows["ben"].user_id == "77" and rows["ben"].late and rows["ben"].test_scores()[0]["id"] == "t1"
    text = export(gradebook=str(db), format="tests", topic="10_dl_basics")
    assert text.splitlines()[0].endswith("grader_version,t1 (13)")


def test_force_replaces_the_row(tmp_path):
    gb = Gradebook(str(tmp_path / "g.sqlite"))
    kw = dict(student="ann", topic="t", sha256="a", version="v", max_score=13, seed=1,
              sandbox="process", report_path="-")
    assert gb.record(score=5, **kw) and not gb.record(score=6, **kw)
    assert gb.record(score=7, force=True, **kw)
    assert [r.score for r in gb.rows()] == [7]
    gb.close()


def test_reading_a_missing_gradebook_fails_and_creates_nothing(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        picked(gradebook=str(tmp_path / "nope.sqlite"))
    assert not (tmp_path / "nope.sqlite").exists()


def test_csv_cells_cannot_be_formulas(tmp_path):
    gb = Gradebook(str(tmp_path / "g.sqlite"))
    gb.record(student="-1-1", topic="t", sha256="a", version="v", score=1, max_score=1, seed=1,
              sandbox="process", report_path="-", name="=HYPERLINK(\"x\")", user_id="@1")
    gb.close()
    for fmt in ("csv", "canvas", "tests"):
        text = export(gradebook=str(tmp_path / "g.sqlite"), format=fmt)
        for line in text.splitlines():
            for cell in line.split(","):
                assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), (fmt, line)
