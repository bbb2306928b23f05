"""Intake of a folder or an LMS zip: student ids from file names, safe extraction."""
import stat
import zipfile

import pytest

from autograder.collect import IntakeError, collect, count, extract_zip, student_id


@pytest.mark.parametrize("name,expected", [
    ("doejane_12345_67890_10_dl_basics.ipynb", "doejane"),
    ("doejane_late_12345_67890_hw1.ipynb", "doejane"),
    ("alice.ipynb", "alice"),
    ("bob smith.ipynb", "bob_smith"),
    ("../../etc/passwd.ipynb", "passwd"),
])
def test_default_naming(name, expected):
    assert student_id(name) == expected


def test_custom_naming_regex():
    rule = r"^hw1-(?P<student>s\d+)-"
    assert student_id("hw1-s042-final.ipynb", rule) == "s042"
    # a file the rule does not match keeps its stem
    assert student_id("other.ipynb", rule) == "other"


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def test_zip_is_extracted_flat_and_safely(tmp_path):
    z = _zip(tmp_path / "export.zip", [
        ("doejane_1_2_nb.ipynb", "{}"), ("folder/alice.ipynb", "{}"),
        ("../../escape.ipynb", "{}"), ("/abs/root.ipynb", "{}"), ("readme.txt", "x"),
        ("__MACOSX/._alice.ipynb", "junk"),
    ])
    with zipfile.ZipFile(z, "a") as zf:  # a symlink member pointing outside
        info = zipfile.ZipInfo("link.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    dest = tmp_path / "work" / "x"
    files = extract_zip(z, dest)
    assert sorted(f.name for f in files) == ["alice.ipynb", "doejane_1_2_nb.ipynb",
                                             "escape.ipynb", "root.ipynb"]
    assert all(f.parent == dest for f in files)
    assert not (tmp_path / "escape.ipynb").exists() and not (tmp_path / "work" / "escape.ipynb").exists()
    assert not (dest / "link.ipynb").exists()
    intake = collect(sources=[z], workdir=tmp_path / "w2")
    assert sorted(i.student for i in intake) == ["alice", "doejane", "escape", "root"]
    assert count([z]) == 4  # counted without extracting, the same members


def test_zip_size_caps(tmp_path):
    z = _zip(tmp_path / "big.zip", [("a.ipynb", "x" * 5000), ("b.ipynb", "y" * 5000)])
    with pytest.raises(IntakeError):
        extract_zip(z, tmp_path / "d1", max_file_bytes=1000)
    with pytest.raises(IntakeError):
        extract_zip(z, tmp_path / "d2", max_total_bytes=8000)
    with pytest.raises(IntakeError):
        extract_zip(z, tmp_path / "d3", max_files=1)
    assert len(extract_zip(z, tmp_path / "d4")) == 2


def test_folder_intake_and_duplicates(tmp_path):
    (tmp_path / "doejane_1_2_a.ipynb").write_text("{}")
    (tmp_path / "doejane_1_3_b.ipynb").write_text("{}")
    (tmp_path / "carol.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("ignored")
    intake = collect(sources=[tmp_path], workdir=tmp_path / "_w")
    assert [i.student for i in intake] == ["carol", "doejane", "doejane-2"]
