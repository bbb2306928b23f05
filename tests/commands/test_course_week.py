"""The instructor's week, end to end through the CLI: release topic 09, grade a Canvas zip of five
students (one late, one with two files) under a 10%-per-day late policy, re-run it, export the CSV
Canvas's gradebook import takes and the per-test CSV, write the feedback folders; a Moodle zip of
three for another topic into the same --out, graded with the right identities."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
T9, T10 = "09_neural_network", "10_dl_basics"
SOLVED9 = ROOT / "solutions" / T9 / f"{T9}.ipynb"


def _cli(*args, cwd=None, ok=True):
    env = {**os.environ, "AUTOGRADER_ROOT": str(ROOT), "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=900)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _zip(path: Path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, src, when in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), Path(src).read_bytes())
    return path


@pytest.mark.slow
def test_course_week(tmp_path):
    # 1. Release: the bundle a student downloads.
    bundle = tmp_path / "bundle"
    _cli("release", "09", "--out", bundle)
    released = bundle / f"{T9}.ipynb"
    assert (bundle / "README.md").is_file() and (bundle / "requirements.txt").is_file()

    # 2. Canvas's "Download submissions" zip. Due 2026-11-20 23:59 UTC.
    on_time, late_by_36h = (2026, 11, 20, 18, 0, 0), (2026, 11, 22, 12, 0, 0)
    canvas = _zip(tmp_path / "submissions.zip", [
        (f"wangfrank_101_5001_{T9}.ipynb", released, on_time),  # first upload: the untouched stub
        (f"wangfrank_101_5009_{T9}-1.ipynb", SOLVED9, on_time),  # resubmitted: graded
        (f"doejane_late_102_5003_{T9}.ipynb", SOLVED9, late_by_36h),
        (f"smithbob_103_5004_{T9}.ipynb", FIX / T9 / "no_bias_gradient.ipynb", on_time),
        (f"leeann_104_5005_{T9}.ipynb", FIX / T9 / "alt_correct_float32.ipynb", on_time),
        (f"kimtom_105_5006_{T9}.ipynb", released, on_time),
    ])
    course = tmp_path / "course.toml"
    course.write_text('[late]\npolicy = "per_day"\npercent_per_day = 10\nmax_percent = 50\n\n'
                      f'[assignments."{T9}"]\ndue = 2026-11-20T23:59:00Z\n'
                      'canvas = "Neural network from scratch (4211)"\n')
    out = tmp_path / "out"
    first = _cli("grade", "09", canvas, "--out", out, "--course", course, "--sandbox", "process",
                 "--jobs", "2", "--seed", "5")
    assert "5 submissions: 5 graded, 0 already in the gradebook" in " ".join(first.stdout.split())
    students = out / T9 / "students"
    assert sorted(p.name for p in students.iterdir()) == [
        "doejane_102", "kimtom_105", "leeann_104", "smithbob_103", "wangfrank_101"]
    frank = json.loads((students / "wangfrank_101" / "results.json").read_text())
    assert frank["score"] == 15  # the latest file, not the first upload, and not a "-2" student
    assert any(f"{T9}.ipynb" in n and "not graded" in n for n in frank["extra_data"]["notes"])
    jane = json.loads((students / "doejane_102" / "results.json").read_text())
    assert jane["extra_data"]["raw_score"] == 15 and jane["score"] == 12  # 2 started days: -20%
    assert jane["extra_data"]["late"]["days"] == 2
    assert jane["extra_data"]["submission_info"]["user_id"] == "102"
    assert "20% deducted" in (students / "doejane_102" / "report.html").read_text()
    assert "20% deducted" in (students / "doejane_102" / "summary.txt").read_text()
    assert json.loads((students / "kimtom_105" / "results.json").read_text())["score"] == 0

    # 3. A re-run of the finished batch grades nothing.
    again = _cli("grade", "09", canvas, "--out", out, "--course", course, "--sandbox", "process")
    assert "0 graded, 5 already in the gradebook" in " ".join(again.stdout.split())

    # 4. The Moodle zip of another topic into the same --out: folders name the students.
    moodle = _zip(tmp_path / "moodle.zip", [
        ("Alice Liddell_11_assignsubmission_file_/alice.ipynb", FIX / T10 / "passes_all.ipynb", on_time),
        # Bob hands in his file under Alice's name: graded as Bob
        ("Bob Builder_12_assignsubmission_file_/alice.ipynb", FIX / T10 / "missing_softmax.ipynb",
         on_time),
        ("Carol Ann_13_assignsubmission_file_/doejane_102_1_x.ipynb",
         FIX / T10 / "alt_correct_float32.ipynb", on_time),
    ])
    _cli("grade", "10", moodle, "--out", out, "--sandbox", "process", "--jobs", "2", "--seed", "5")
    t10 = {p.name: json.loads((p / "results.json").read_text())
           for p in (out / T10 / "students").iterdir()}
    assert sorted(t10) == ["Alice_Liddell_11", "Bob_Builder_12", "Carol_Ann_13"]
    full = t10["Alice_Liddell_11"]["extra_data"]["max_score"]
    assert t10["Alice_Liddell_11"]["score"] == full and t10["Carol_Ann_13"]["score"] == full
    assert t10["Bob_Builder_12"]["score"] < full
    assert t10["Bob_Builder_12"]["extra_data"]["submission_info"]["lms"] == "moodle"
    assert sorted(p.name for p in students.iterdir())[0] == "doejane_102"  # topic 09 untouched

    # 5. Canvas's import CSV: Student, ID, SIS User ID, SIS Login ID, Section, "Name (id)", and
    # the "Points Possible" row under the header.
    book = out / "gradebook.sqlite"
    mixed = _cli("gradebook", "export", "--gradebook", book, "--format", "canvas", ok=False)
    assert mixed.returncode == 2 and "--topic" in mixed.stderr
    canvas_csv = tmp_path / "canvas.csv"
    _cli("gradebook", "export", "--gradebook", book, "--format", "canvas", "--topic", "09",
         "--course", course, "--out", canvas_csv)
    rows = list(csv.reader(io.StringIO(canvas_csv.read_text())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Neural network from scratch (4211)"]
    assert rows[1][0].strip() == "Points Possible" and float(rows[1][5]) == 15
    by_id = {r[1]: r for r in rows[2:]}
    assert sorted(by_id) == ["101", "102", "103", "104", "105"]
    assert float(by_id["102"][5]) == 12 and float(by_id["101"][5]) == 15
    assert by_id["102"][0] == "doejane"

    # 6. Per-test scores, lateness and LMS ids.
    tests_csv = tmp_path / "tests.csv"
    _cli("gradebook", "export", "--gradebook", book, "--format", "tests", "--topic", "09",
         "--out", tests_csv)
    per = {r["student"]: r for r in csv.DictReader(io.StringIO(tests_csv.read_text()))}
    assert per["doejane_102"]["late"] == "true" and per["doejane_102"]["days_late"] == "2"
    assert float(per["doejane_102"]["raw_score"]) == 15 and float(per["doejane_102"]["score"]) == 12
    assert per["doejane_102"]["submission_id"] == "5003"
    test_cols = [c for c in per["smithbob_103"] if c.endswith(")") and c.split(" (")[0] in {
        "init_shapes", "linear_backward", "mlp_grads", "xor_convergence"}]
    assert len(test_cols) == 4
    assert sum(float(per["smithbob_103"][c]) for c in per["smithbob_103"] if c.endswith(")")) == \
        float(per["smithbob_103"]["raw_score"])

    # 7. Feedback to hand back: one folder per student.
    fb = tmp_path / "feedback"
    _cli("feedback", "09", "--graded", out, "--out", fb)
    assert sorted(p.name for p in fb.iterdir()) == sorted(p.name for p in students.iterdir())
    for d in fb.iterdir():
        assert (d / "report.html").is_file() and (d / "results.json").is_file()
    _cli("feedback", "10", "--graded", out, "--out", tmp_path / "fbzip", "--zip")
    assert sorted(p.name for p in (tmp_path / "fbzip").iterdir()) == [
        "Alice_Liddell_11.zip", "Bob_Builder_12.zip", "Carol_Ann_13.zip"]
    shutil.rmtree(tmp_path / "fbzip")
