"""Faults are never a student's failure (issue 9): a sandbox killed from outside, the sandbox
engine going away, the grader SIGKILLed, a full --out, two runs into one gradebook. Each ends with
every submission graded correctly or reported as a grader error (not recorded) and graded on the
re-run: 0 lost, 0 duplicated, 0 mis-scored."""
import copy
import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.gradebook import Gradebook
from autograder.grade import BatchStopped, grade

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "10_dl_basics"
ROOT = Path(__file__).resolve().parents[2]
FULL = 13.0


def _slow_solved(path: Path, seconds: float = 8.0) -> Path:
    """The solved notebook, plus a cell that leaves a mark in its working folder and sleeps."""
    nb = json.loads((FIX / "passes_all.ipynb").read_text())
    nb = copy.deepcopy(nb)
    nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                        "source": f"open('i_am_slow', 'w').close()\nimport time\ntime.sleep({seconds})\n"})
    path.write_text(json.dumps(nb))
    return path


def _subs(tmp_path, n_fast=2, slow=True):
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(n_fast):
        (subs / f"a_fast{k}.ipynb").write_bytes((FIX / "passes_all.ipynb").read_bytes())
    if slow:
        _slow_solved(subs / "b_slow.ipynb")
    return subs


def _harness_pids_with_mark(root_pid: int) -> list[int]:
    """Harness processes below ``root_pid`` whose working folder holds the slow notebook's mark."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{d}/cmdline").read_bytes()
            if b"harness.py" not in cmd or not os.path.exists(f"/proc/{d}/cwd/i_am_slow"):
                continue
            pid, ok = int(d), False
            for _ in range(20):  # is it a descendant of root_pid?
                stat = Path(f"/proc/{pid}/stat").read_text()
                pid = int(stat.rsplit(")", 1)[1].split()[1])
                if pid == root_pid:
                    ok = True
                    break
                if pid <= 1:
                    break
            if ok:
                found.append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _rows(out):
    book = Gradebook(str(out / "gradebook.sqlite"))
    try:
        return book.rows()
    finally:
        book.close()


def test_sandbox_killed_from_outside_is_a_grader_error_and_graded_on_rerun(tmp_path):
    subs = _subs(tmp_path)
    out = tmp_path / "out"
    stop = threading.Event()
    kills = []

    def killer():
        while not stop.is_set():
            for pid in _harness_pids_with_mark(os.getpid()):
                try:
                    os.kill(pid, signal.SIGKILL)  # the host's OOM killer, an operator
                    kills.append(pid)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)

    th = threading.Thread(target=killer, daemon=True)
    th.start()
    try:
        reports = {r.submission: r for r in grade(topic="10", submissions=[subs], out=out,
                                                  sandbox="process", gradebook=str(out / "gradebook.sqlite"))}
    finally:
        stop.set()
        th.join()
    assert kills, "the slow submission's sandbox was never seen"
    slow = reports["b_slow"]
    assert slow.fault == "outside" and slow.grader_errors == len(slow.tests) and slow.score == 0
    assert "not your fault" in slow.tests[0].output
    assert all(reports[f"a_fast{k}"].score == FULL for k in range(2))
    assert sorted(r.student for r in _rows(out)) == ["a_fast0", "a_fast1"]  # kept out of the book
    # the re-run grades it (and only it)
    again = {r.submission: r for r in grade(topic="10", submissions=[subs], out=out, sandbox="process",
                                            gradebook=str(out / "gradebook.sqlite"))}
    assert again["b_slow"].score == FULL and not again["b_slow"].cached
    assert again["a_fast0"].cached and again["a_fast1"].cached
    assert sorted(r.student for r in _rows(out)) == ["a_fast0", "a_fast1", "b_slow"]


class _GoneAfterOne:
    """A sandbox whose engine goes away after its first run (the Docker daemon stopping)."""

    def __init__(self):
        from autograder.sandbox.process import ProcessSandbox

        self.inner = ProcessSandbox()
        self.name = self.inner.name
        self.calls = 0

    def describe(self):
        return self.inner.describe()

    def run(self, **kw):
        self.calls += 1
        if self.calls > 1:
            import requests

            raise requests.exceptions.ConnectionError("('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))")
        return self.inner.run(**kw)

    @staticmethod
    def is_outage(exc):
        import requests

        return isinstance(exc, requests.exceptions.ConnectionError)


def test_engine_gone_mid_batch_marks_the_rest_grader_errors(tmp_path, monkeypatch):
    import autograder.sandbox as sb

    subs = _subs(tmp_path, n_fast=3, slow=False)
    out = tmp_path / "out"
    box = _GoneAfterOne()
    monkeypatch.setattr(sb, "get_sandbox", lambda name, **kw: box)
    reports = {r.submission: r for r in grade(topic="10", submissions=[subs], out=out, sandbox="docker",
                                              gradebook=str(out / "gradebook.sqlite"))}
    assert sum(r.fault is None for r in reports.values()) == 1
    for r in reports.values():
        if r.fault is None:
            assert r.score == FULL
        else:  # in flight or after: a grader error with the reason, never a student's zero
            assert r.grader_errors == len(r.tests) and "not your fault" in r.tests[0].output
            assert "ConnectionError" in r.tests[0].output
    assert len(_rows(out)) == 1
    monkeypatch.undo()
    again = {r.submission: r for r in grade(topic="10", submissions=[subs], out=out, sandbox="process",
                                            gradebook=str(out / "gradebook.sqlite"))}
    assert all(r.score == FULL for r in again.values())
    assert sorted(r.student for r in _rows(out)) == ["a_fast0", "a_fast1", "a_fast2"]


def test_full_disk_stops_with_one_line_and_keeps_what_finished(tmp_path, monkeypatch):
    import autograder.report as rep

    subs = _subs(tmp_path, n_fast=3, slow=False)
    out = tmp_path / "out"
    real = rep.write_atomic
    writes = []

    def full(path, data):
        writes.append(path)
        if len(writes) > 4:  # the first report (results, summary, html, output) fits; then ENOSPC
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(rep, "write_atomic", full)
    import autograder.grade as g

    monkeypatch.setattr(g, "write_atomic", full)
    with pytest.raises(BatchStopped) as info:
        grade(topic="10", submissions=[subs], out=out, sandbox="process",
              gradebook=str(out / "gradebook.sqlite"))
    msg = str(info.value)
    assert "full" in msg and "\n" not in msg
    rows = _rows(out)
    assert [r.student for r in rows] == ["a_fast0"]
    for r in rows:  # every recorded row has its whole report
        assert json.loads(Path(r.report_path).read_text())["score"] == FULL
    for f in out.rglob("*"):  # no truncated or temporary report files
        assert not f.name.endswith(".tmp")
        if f.name == "results.json":
            assert f.stat().st_size > 0
    monkeypatch.undo()
    again = grade(topic="10", submissions=[subs], out=out, sandbox="process",
                  gradebook=str(out / "gradebook.sqlite"))
    assert [r.score for r in again] == [FULL] * 3


def _cli(out, subs, *extra):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTOGRADER_ROOT": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", "10", str(subs), "--out", str(out),
                             "--sandbox", "process", *extra], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=str(ROOT))


@pytest.mark.slow
def test_grader_sigkilled_then_rerun_sweeps_and_grades_once(tmp_path):
    subs = _subs(tmp_path)
    out = tmp_path / "out"
    proc = _cli(out, subs)
    deadline = time.time() + 120
    while time.time() < deadline and not _harness_pids_with_mark(proc.pid):
        time.sleep(0.2)
    assert _harness_pids_with_mark(proc.pid), proc.communicate()[0][-2000:]
    os.kill(proc.pid, signal.SIGKILL)  # the grader only: its sandbox dies with it (or is swept)
    proc.wait()
    left = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(f"ag-{proc.pid}-")]
    rerun = _cli(out, subs)
    text = rerun.communicate()[0].decode(errors="replace")
    assert rerun.returncode == 0, text[-3000:]
    rows = _rows(out)
    assert sorted(r.student for r in rows) == ["a_fast0", "a_fast1", "b_slow"]  # 0 lost, 0 twice
    assert all(r.score == FULL for r in rows)
    for name in left:  # what the killed grader left is swept by the next run
        assert not os.path.exists(os.path.join(tempfile.gettempdir(), name))


@pytest.mark.slow
def test_two_runs_into_one_gradebook_grade_each_submission_once(tmp_path):
    subs = _subs(tmp_path)
    out = tmp_path / "out"
    a = _cli(out, subs)
    time.sleep(1.0)
    b = _cli(out, subs)
    ta, tb = a.communicate()[0].decode(errors="replace"), b.communicate()[0].decode(errors="replace")
    assert a.returncode == 0 and b.returncode == 0, (ta[-2000:], tb[-2000:])
    rows = _rows(out)
    assert sorted(r.student for r in rows) == ["a_fast0", "a_fast1", "b_slow"]
    for r in rows:  # the report a row points to is the one that grading wrote (same seed)
        data = json.loads(Path(r.report_path).read_text())
        assert data["extra_data"]["seed"] == r.seed and data["score"] == r.score == FULL


@pytest.mark.slow
@pytest.mark.docker
def test_container_killed_mid_batch_is_a_grader_error_and_graded_on_rerun(tmp_path):
    docker = pytest.importorskip("docker")
    client = docker.from_env()
    subs = _subs(tmp_path)
    out = tmp_path / "out"
    stop = threading.Event()
    kills = []

    def killer():  # `docker kill` of the container whose working folder holds the slow mark
        while not stop.is_set():
            try:
                for c in client.containers.list(filters={"label": f"org.autograder.pid={os.getpid()}"}):
                    mounts = [m.get("Source", "") for m in c.attrs.get("Mounts", [])]
                    if any(os.path.exists(os.path.join(m, "i_am_slow")) for m in mounts):
                        c.kill()
                        kills.append(c.id)
            except docker.errors.APIError:
                pass
            time.sleep(0.3)

    th = threading.Thread(target=killer, daemon=True)
    th.start()
    try:
        reports = {r.submission: r for r in grade(topic="10", submissions=[subs], out=out,
                                                  sandbox="docker", jobs=2,
                                                  gradebook=str(out / "gradebook.sqlite"))}
    finally:
        stop.set()
        th.join()
    assert kills, "the slow submission's container was never seen"
    slow = reports["b_slow"]
    assert slow.fault == "outside" and slow.score == 0 and "not your fault" in slow.tests[0].output
    assert all(reports[f"a_fast{k}"].score == FULL for k in range(2))
    assert sorted(r.student for r in _rows(out)) == ["a_fast0", "a_fast1"]
    again = {r.submission: r for r in grade(topic="10", submissions=[subs], out=out, sandbox="docker",
                                            gradebook=str(out / "gradebook.sqlite"))}
    assert again["b_slow"].score == FULL and not again["b_slow"].cached
    assert sorted(r.student for r in _rows(out)) == ["a_fast0", "a_fast1", "b_slow"]


@pytest.mark.slow
def test_sigterm_keeps_what_finished_and_the_rerun_grades_the_rest(tmp_path):
    subs = _subs(tmp_path)
    out = tmp_path / "out"
    proc = _cli(out, subs)
    deadline = time.time() + 120
    while time.time() < deadline and not _harness_pids_with_mark(proc.pid):
        time.sleep(0.2)
    assert _harness_pids_with_mark(proc.pid)
    proc.send_signal(signal.SIGTERM)
    text = proc.communicate(timeout=120)[0].decode(errors="replace")
    assert proc.returncode == 130, text[-2000:]
    assert "interrupted" in text
    assert sorted(r.student for r in _rows(out)) == ["a_fast0", "a_fast1"]  # what finished
    rerun = _cli(out, subs)
    assert rerun.wait(timeout=300) == 0
    rows = _rows(out)
    assert sorted(r.student for r in rows) == ["a_fast0", "a_fast1", "b_slow"]
    assert all(r.score == FULL for r in rows)
