"""The CLI explains itself: every user error is one line on stderr with exit code 2, never a
traceback; internal errors are apart (exit 1, one line, the traceback in a log file)."""
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder import __version__
from autograder.cli import main


def _run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code, err, *needles):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]


def test_version(capsys):
    code, out, _ = _run(["--version"], capsys)
    assert code == 0 and out.strip() == f"autograder {__version__}"


@pytest.mark.parametrize("argv,needle", [
    (["grade", "99", "x.ipynb", "--out", "{tmp}/o"], "unknown topic '99'"),
    (["release", "nope", "--out", "{tmp}/b"], "unknown topic 'nope'"),
    (["feedback", "99", "--out", "{tmp}/f"], "unknown topic '99'"),
    (["validate", "99"], "unknown topic '99'"),
    (["grade", "09", "{tmp}/missing", "--out", "{tmp}/o"], "missing: no such file or folder"),
    (["grade", "09", "{tmp}/empty", "--out", "{tmp}/o"], "no submissions found"),
    (["grade", "09", "{tmp}/empty", "--out", "{tmp}/o", "--jobs", "0"], "--jobs: must be at least 1"),
    (["grade", "09", "{tmp}/empty", "--out", "{tmp}/o", "--jobs", "two"], "not a whole number"),
    (["grade", "09", "{tmp}/notazip.zip", "--out", "{tmp}/o"], "not a readable zip"),
    (["grade", "09", "{tmp}/subs", "--out", "{tmp}/o", "--gradebook", "{tmp}/file/gb.sqlite"],
     "cannot create its folder"),
    (["grade", "09", "{tmp}/subs", "--out", "{tmp}/o", "--course", "{tmp}/nocourse.toml"],
     "course config"),
    (["grade", "09", "{tmp}/subs", "--out", "{tmp}/o", "--course", "{tmp}/bad.toml"],
     "late policy 'sometimes'"),
    (["gradebook", "export", "--gradebook", "{tmp}/nope.sqlite"], "does not exist"),
    (["gradebook", "export", "--gradebook", "{tmp}/file"], "cannot be opened"),
    (["feedback", "09", "--graded", "{tmp}/o", "--out", "{tmp}/f"], "no graded reports"),
    (["grade"], "the following arguments are required"),
    (["frobnicate"], "invalid choice"),
])
def test_user_errors_are_one_line_exit_2(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ann.ipynb").write_text("{}")
    (tmp_path / "notazip.zip").write_bytes(b"PK\x05\x06" + b"\0" * 10)  # looks like a zip, is not
    (tmp_path / "file").write_text("not a database")
    (tmp_path / "bad.toml").write_text('[late]\npolicy = "sometimes"\n')
    argv = [a.format(tmp=tmp_path) for a in argv]
    code, _, err = _run(argv, capsys)
    _one_line_error(code, err, needle)
    assert not (tmp_path / "nope.sqlite").exists()  # reading never creates a database
    assert not (tmp_path / "o" / "09_neural_network" / "students").exists()


def test_internal_error_is_apart(capsys, monkeypatch):
    import autograder.topics

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(autograder.topics, "all_topics", boom)
    code, _, err = _run(["list"], capsys)
    assert code == 1
    (line,) = err.strip().splitlines()
    assert "internal error" in line and "RuntimeError: disk on fire" in line
    log = line.rsplit("traceback in ", 1)[1]
    assert "Traceback" in open(log).read() and "boom" in open(log).read()


def test_list_footnotes_gpu_points(capsys):
    from autograder.grade import host_gpu
    from autograder.topics import get_topic

    code, out, _ = _run(["list"], capsys)
    assert code == 0
    t = get_topic("41")
    gpu = sum(x.points for x in t.tests if x.requires == "cuda")
    if gpu and host_gpu() is None:
        assert "this host has none" in " ".join(out.split())


def test_real_process_prints_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "09", str(tmp_path / "x"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr


def test_zip_with_only_junk_is_empty(tmp_path, capsys):
    z = tmp_path / "canvas.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "x")
    code, _, err = _run(["grade", "09", str(z), "--out", str(tmp_path / "o")], capsys)
    _one_line_error(code, err, "no submissions found")


def test_validate_shows_progress(capsys, monkeypatch):
    import autograder.validate as v

    seen = []

    def fake(*, topics, sandbox, seed, progress, jobs=1):
        for t in topics:
            progress(f"{t}: solution")
            progress(f"{t}: stub")
            seen.append(t)
        return [v.ValidationRow(topic=t, max_score=1, solution_score=1, stub_score=0) for t in topics]

    monkeypatch.setattr(v, "validate", fake)
    code, out, _ = _run(["validate", "09", "10"], capsys)
    assert code == 0 and seen == ["09_neural_network", "10_dl_basics"]
    assert "09_neural_network" in out and "yes" in out


@pytest.mark.slow
def test_grade_table_and_list_agree_on_points(tmp_path, capsys):
    """`grade` shows the topic's full points (as `list` does), footnoting GPU points not run."""
    from autograder.grade import host_gpu
    from autograder.topics import get_topic

    t = get_topic("41")
    if host_gpu() is not None or not any(x.requires == "cuda" for x in t.tests):
        pytest.skip("needs a topic with GPU tests on a host without one")
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(t.stub_path, subs / "ann.ipynb")  # the untouched stub: zero, GPU tests not run
    code, out, _ = _run(["grade", "41", str(subs), "--out", str(tmp_path / "o"),
                         "--sandbox", "process"], capsys)
    flat = " ".join(out.split())
    assert f"{t.points:g}*" in flat and "GPU tests, not run on this host" in flat
    code, out, _ = _run(["list"], capsys)
    assert f"{t.points:g}" in out


def test_help_and_list_load_no_numerics():
    """Start-up: `--help` and `list` answer without importing NumPy, the grading engine or torch
    (each costs 0.1-2 s before the first line is printed)."""
    import subprocess
    import sys

    code = ("import sys\nfrom autograder.cli import main\nfor argv in (['--help'], ['list']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "heavy = [m for m in ('numpy', 'torch', 'autograder.grade', 'nbformat', 'jsonschema',"
            " 'sqlalchemy', 'pandas', 'matplotlib') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "HEAVY []" in out.stderr, out.stderr[-2000:]


def test_grading_path_loads_no_schema_machinery():
    """jsonschema's format checker builds a grammar at import (2 s idle, 20 s on a loaded host):
    grading never imports it (nbformat, which does, is for release and stub generation only)."""
    import subprocess
    import sys

    code = ("import sys, autograder.grade, autograder.job, autograder.executors, autograder.report\n"
            "autograder.grade._fresh_seed()\n"
            "print('LOADED', [m for m in ('jsonschema', 'nbformat') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr[-2000:]
