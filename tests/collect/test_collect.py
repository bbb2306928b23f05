"""Intake: who a file belongs to comes from the LMS's structure; caps and refusals are per student."""
import os
import stat
import zipfile
from datetime import datetime, timezone

import pytest

from autograder.collect import (IntakeError, collect, count, gradebook_path, safe_id, student_dir,
                                student_id)


@pytest.mark.parametrize("name,expected", [
    ("doejane_12345_67890_10_dl_basics.ipynb", "doejane_12345"),
    ("doejane_late_12345_67890_hw1.ipynb", "doejane_12345"),
    ("DoeJane_LATE_12345_67890_hw_1-2.ipynb", "DoeJane_12345"),
    ("Jane Doe_4242_assignsubmission_file_hw.ipynb", "Jane_Doe_4242"),
    ("HW1_jdoe_attempt_2026-11-20-10-00-00_hw.ipynb", "jdoe"),
    ("alice.ipynb", "alice"),
    ("bob smith.ipynb", "bob_smith"),
    ("../../etc/passwd.ipynb", "passwd"),
    ("gradebook.sqlite.ipynb", "gradebook.sqlite"),
    ("-1-1.ipynb", "1-1"),
    ("..ipynb", "student"),
])
def test_default_naming(name, expected):
    assert student_id(name) == expected


def test_no_id_reaches_the_gradebook_or_another_topic(tmp_path):
    for evil in ["gradebook.sqlite", "..", "../10_dl_basics", "../../gradebook.sqlite", "students"]:
        d = student_dir(tmp_path, "09_neural_network", evil)
        assert d.parent == tmp_path / "09_neural_network" / "students"
        assert d != gradebook_path(tmp_path) and safe_id(evil) not in ("", ".", "..")


def test_custom_naming_regex():
    rule = r"^hw1-(?P<student>s\d+)-"
    assert student_id("hw1-s042-final.ipynb", rule) == "s042"
    assert student_id("other.ipynb", rule) == "other"


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, *when in members:
            info = zipfile.ZipInfo(name, date_time=when[0] if when else (2026, 11, 20, 12, 0, 0))
            zf.writestr(info, data)
    return path


NB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def test_canvas_zip_identity_late_and_latest_file(tmp_path):
    z = _zip(tmp_path / "submissions.zip", [
        ("wangfrank_101_5001_hw09.ipynb", NB + " "),
        ("wangfrank_101_5007_hw09-1.ipynb", NB),  # a later upload: higher submission id
        ("doejane_late_102_5003_nn.ipynb", NB),
        ("doejane_103_5004_nn.ipynb", NB),  # another Jane Doe: another user id
        ("readme.txt", "x"),
        ("__MACOSX/._doejane_102_5003_nn.ipynb", "junk"),
    ])
    intake = collect(sources=[z], workdir=tmp_path / "w")
    by = {i.student: i for i in intake}
    assert sorted(by) == ["doejane_102", "doejane_103", "wangfrank_101"]
    frank = by["wangfrank_101"]
    assert frank.submission_id == "5007" and frank.original == "hw09-1.ipynb"
    assert frank.others == ("hw09.ipynb",) and frank.path.read_text() == NB
    assert by["doejane_102"].late and not by["doejane_103"].late
    assert by["doejane_102"].user_id == "102" and by["doejane_102"].lms == "canvas"
    assert by["doejane_102"].submitted_at == datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    assert all(i.path.is_relative_to(tmp_path / "w") for i in intake)
    assert count([z]) == 3


def test_moodle_folders_name_the_student(tmp_path):
    z = _zip(tmp_path / "moodle.zip", [
        ("Alice Liddell_11_assignsubmission_file_/alice.ipynb", NB),
        # Bob names his file after Alice (and after a Canvas-looking name): still Bob's
        ("Bob Builder_12_assignsubmission_file_/alice.ipynb", NB + "  "),
        ("Bob Builder_12_assignsubmission_file_/liddellalice_11_99_x.ipynb", NB + " ",
         (2026, 11, 19, 9, 0, 0)),
        ("Carol Ann_13_assignsubmission_file_/sub/deep/hw.py", "x = 1\n"),
        ("Dan Dee_14_assignsubmission_file_/essay.pdf", "%PDF"),
        ("Dan Dee_14_assignsubmission_onlinetext_/onlinetext.html", "<p>hi</p>"),
    ])
    intake = collect(sources=[z], workdir=tmp_path / "w")
    by = {i.student: i for i in intake}
    assert sorted(by) == ["Alice_Liddell_11", "Bob_Builder_12", "Carol_Ann_13", "Dan_Dee_14"]
    assert by["Bob_Builder_12"].original == "alice.ipynb"  # the latest by the zip's time
    assert by["Bob_Builder_12"].others == ("liddellalice_11_99_x.ipynb",)
    assert by["Bob_Builder_12"].path.read_text() == NB + "  "
    assert by["Alice_Liddell_11"].lms == "moodle" and by["Alice_Liddell_11"].user_id == "11"
    assert by["Carol_Ann_13"].path.suffix == ".py"
    assert by["Dan_Dee_14"].path is None and "no notebook" in by["Dan_Dee_14"].error


def test_wrapper_folder_is_dropped(tmp_path):
    z = _zip(tmp_path / "export.zip", [("course-export/ann/hw.ipynb", NB), ("course-export/ben/x.ipynb", NB)])
    assert [i.student for i in collect(sources=[z], workdir=tmp_path / "w")] == ["ann", "ben"]


def test_oversize_unreadable_and_link_members_are_that_students_error(tmp_path, monkeypatch):
    import autograder.collect as c

    monkeypatch.setattr(c, "MAX_FILE_BYTES", 1000)
    z = _zip(tmp_path / "export.zip", [("big_1_1_a.ipynb", "x" * 5000), ("ok_2_2_b.ipynb", NB),
                                       ("../../escape.ipynb", NB)])
    with zipfile.ZipFile(z, "a") as zf:  # a symlink member pointing outside
        info = zipfile.ZipInfo("link_3_3_c.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    # a member whose header under-states its size (decompressed size is what counts)
    raw = bytearray(z.read_bytes())
    intake = {i.student: i for i in collect(sources=[z], workdir=tmp_path / "w")}
    assert sorted(intake) == ["big_1", "link_3", "ok_2"]  # ".." members are never taken
    assert intake["ok_2"].error is None and intake["ok_2"].path.is_file()
    assert "over the" in intake["big_1"].error and intake["big_1"].path is None
    assert "link" in intake["link_3"].error
    assert not (tmp_path / "escape.ipynb").exists()
    assert raw  # the zip itself was fine: one student's problem never stops the others


def test_lying_header_is_caught(tmp_path, monkeypatch):
    import autograder.collect as c

    z = _zip(tmp_path / "e.zip", [("liar_1_1_a.ipynb", "y" * 5000)])
    monkeypatch.setattr(c, "MAX_FILE_BYTES", 1000)
    real = c._zip_members

    def lying(archive):
        ms = real(archive)
        for m in ms:
            m.size = 10  # the central directory claims 10 bytes
        return ms

    monkeypatch.setattr(c, "_zip_members", lying)
    (i,) = collect(sources=[z], workdir=tmp_path / "w")
    assert i.path is None and "over the" in i.error


def test_folder_intake_same_rules(tmp_path, monkeypatch):
    import autograder.collect as c

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "wangfrank_1_2_a.ipynb").write_text(NB)
    (subs / "wangfrank_1_3_b.ipynb").write_text(NB + " ")
    (subs / "carol.py").write_text("x = 1\n")
    (subs / "notes.txt").write_text("ignored")
    (subs / "huge.ipynb").write_text("z" * 3000)
    secret = tmp_path / "secret.ipynb"
    secret.write_text(NB)
    os.symlink(secret, subs / "mallory.ipynb")
    (subs / "Eve Smith_7_assignsubmission_file_").mkdir()
    (subs / "Eve Smith_7_assignsubmission_file_" / "carol.ipynb").write_text(NB)
    os.symlink(tmp_path, subs / "Trudy_8_assignsubmission_file_")
    monkeypatch.setattr(c, "MAX_FILE_BYTES", 1000)
    intake = {i.student: i for i in collect(sources=[subs], workdir=tmp_path / "_w")}
    assert sorted(intake) == ["Eve_Smith_7", "carol", "huge", "mallory", "wangfrank_1"]
    assert intake["wangfrank_1"].others == ("a.ipynb",)
    assert intake["Eve_Smith_7"].path.read_text() == NB  # graded as Eve, not as carol
    assert "over the" in intake["huge"].error
    assert "link" in intake["mallory"].error and intake["mallory"].path is None


def test_not_a_zip_and_missing_path_are_intake_errors(tmp_path):
    bad = tmp_path / "x.zip"
    bad.write_text("not a zip")
    with pytest.raises(IntakeError):
        collect(sources=[tmp_path / "missing"], workdir=tmp_path / "w")
    with pytest.raises(IntakeError, match="not a readable zip"):
        collect(sources=[bad], workdir=tmp_path / "w2")


def test_names_from_the_export_are_printable(tmp_path):
    z = _zip(tmp_path / "m.zip", [("Eve\x1b[2J\u202e Evil_9_assignsubmission_file_/hw\x07.ipynb", NB)])
    (i,) = collect(sources=[z], workdir=tmp_path / "w")
    assert i.student == "Eve_2J_Evil_9" or i.student.endswith("_9")
    assert all(ord(c) >= 32 and c != "\u202e" for c in i.name + i.original)
