"""Text from a submission is made safe where it is written (issue 9)."""
import os

from autograder.report import write_atomic
from autograder.report.sanitize import clean_text, csv_cell


def test_escape_codes_and_controls_are_stripped():
    text = "a\x1b[2J\x1b[Hb\x1b]0;title\x07c\x9b31md\r\ne\x00f\u202eg\ttab\nnext"
    assert clean_text(text) == "abcd\nefg\ttab\nnext"


def test_lone_surrogates_never_raise():
    s = clean_text("x\ud800y\udfff")
    assert s == "x\ufffdy\ufffd"
    s.encode("utf-8")


def test_csv_formulas_are_quoted():
    for bad in ("=1+1", "+1", "-1-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(bad).startswith("'")
    assert csv_cell(-1.5) == -1.5


def test_atomic_write_leaves_no_partial_file(tmp_path):
    p = tmp_path / "results.json"
    write_atomic(p, "old")
    write_atomic(p, "x\ud800")  # a lone surrogate is replaced, not raised on
    assert p.read_text(encoding="utf-8", errors="replace").startswith("x")
    assert os.listdir(tmp_path) == ["results.json"]
