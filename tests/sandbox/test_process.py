"""The process sandbox enforces its limits (bubblewrap isolation where the host allows it)."""
import json
import os

import pytest

from autograder.sandbox.process import ProcessSandbox, bwrap_mode
from autograder.topics import Limits

isolated = pytest.mark.skipif(bwrap_mode() is None and os.environ.get("CI") != "true",
                              reason="needs bubblewrap; CI must have it")


def run(tmp_path, code, **limits):
    job = {"cells": [{"index": 1, "source": code}], "probes_source": "", "probes": [], "seed": 0}
    res = ProcessSandbox().run(workdir=tmp_path, job=job, limits=Limits(**{"wall_s": 20, **limits}))
    cells = tmp_path / "out" / "cells.json"
    return res, (json.loads(cells.read_text()) if cells.exists() else None)


@isolated
def test_network_is_unreachable(tmp_path):
    _, cells = run(tmp_path, "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=2)")
    assert cells[0]["status"] == "error" and cells[0]["kind"] in ("ConnectionRefusedError", "OSError")


@isolated
def test_root_is_read_only_and_the_repository_invisible(tmp_path, root):
    code = (f"import os\nassert not os.path.exists({str(root)!r})\n"
            "open('/usr/evil', 'w')")
    _, cells = run(tmp_path, code)
    assert cells[0]["status"] == "error" and "Errno" in cells[0]["error"], cells


def test_wall_clock_kills(tmp_path):
    res, _ = run(tmp_path, "import time\ntime.sleep(60)", wall_s=2)
    assert res.timed_out and "time limit" in res.killed_reason and res.wall_s < 10


def test_output_is_capped(tmp_path):
    res, _ = run(tmp_path, "import sys\nfor _ in range(10000):\n    print('x' * 1000)", output_kb=16)
    assert res.stderr_truncated and len(res.stderr) <= 16 * 1024


def test_markers_cannot_be_forged_without_the_token(tmp_path):
    res, _ = run(tmp_path, "import os\nos.write(1, b'@@00 start x\\n')\nprint('@@00 end x')")
    assert all(ident != "x" for _, ident, _ in res.markers)


needs_cgroup = pytest.mark.skipif(__import__("autograder.sandbox.cgroup", fromlist=["detect"]).detect() is None,
                                  reason="needs a writable cgroup hierarchy (root)")


@needs_cgroup
def test_memory_limit_holds_for_the_whole_sandbox(tmp_path):
    # Two processes, each under the per-process limit, together over the sandbox's.
    # 150 MiB each: the harness with NumPy maps ~100 MiB (VmSize, measured), so each process stays
    # ~50 MiB under its 300 MiB address-space limit (200 MiB had left 88 KiB), while the two
    # together hold ~360 MiB resident, over the sandbox's 300.
    code = ("import os, time, numpy as np\npid = os.fork()\nx = np.ones(150 << 17)\ntime.sleep(1)\n"
            "if pid == 0:\n    os._exit(0)\nos.waitpid(pid, 0)")
    res, _ = run(tmp_path, code, memory_mb=300)
    assert res.killed_reason.startswith("memory limit") and res.killed_by == "limit", res
    assert "memory" in res.limits_enforced and res.meter.startswith("cgroup")


@needs_cgroup
def test_pids_limit_holds_for_the_whole_sandbox(tmp_path):
    code = ("import threading, time\nts = [threading.Thread(target=time.sleep, args=(2,)) for _ in range(60)]\n"
            "[t.start() for t in ts]")
    res, cells = run(tmp_path, code, pids=24)
    assert cells[0]["status"] == "error" and "thread" in cells[0]["error"], cells
    assert "pids" in res.limits_enforced


@pytest.mark.skipif(os.geteuid() != 0, reason="the working folder's tmpfs is mounted by root")
def test_disk_limit_on_the_working_folder(tmp_path):
    code = "with open('big', 'wb') as f:\n    for _ in range(64):\n        f.write(b'x' * (1 << 20))"
    res, _ = run(tmp_path, code, disk_mb=16)
    assert res.killed_reason.startswith("disk limit") and res.killed_by == "limit", res
    assert not (tmp_path / "big").exists()  # the tmpfs is gone with the run


def test_a_hanging_cell_is_stopped_and_the_next_cells_still_run(tmp_path):
    job = {"cells": [{"index": 1, "source": "x = 1"}, {"index": 2, "source": "while True:\n    pass"},
                     {"index": 3, "source": "y = 2"}],
           "probes_source": "", "probes": [], "seed": 0, "cell_time_limit": 1.0}
    res = ProcessSandbox().run(workdir=tmp_path, job=job, limits=Limits(wall_s=30))
    cells = json.loads((tmp_path / "out" / "cells.json").read_text())
    assert [c["status"] for c in cells] == ["ok", "error", "ok"]
    assert cells[1]["kind"] == "CellTimeout" and "1 s" in cells[1]["error"]
    assert res.killed_by is None


def test_a_signal_from_nowhere_is_an_outside_kill(tmp_path):
    res, _ = run(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)")
    assert res.killed_by == "outside" and "SIGTERM" in res.killed_reason


def _setpriv_possible():
    from autograder.sandbox.process import _setpriv_mode

    return _setpriv_mode()


@pytest.mark.skipif(not _setpriv_possible(), reason="needs root, and an interpreter other uids can reach "
                                                    "(not one under a 0700 /root)")
def test_without_namespaces_root_still_runs_the_code_as_an_unprivileged_uid(tmp_path, monkeypatch):
    # Gradescope's container: root, no user namespaces, bubblewrap cannot start.
    import autograder.sandbox.process as proc

    monkeypatch.setattr(proc, "bwrap_mode", lambda: None)
    secret = tmp_path / "hidden"
    secret.mkdir(mode=0o700)
    (secret / "reference.py").write_text("ANSWER = 42")
    results = tmp_path / "results"
    results.mkdir(mode=0o755)
    work = tmp_path / "work"
    work.mkdir()
    code = (f"import os\nprint('UID', os.getuid())\n"
            f"for p in ({str(secret / 'reference.py')!r},):\n"
            f"    try:\n        open(p).read(); print('HIDDEN-READ')\n    except OSError:\n        print('HIDDEN-BLOCKED')\n"
            f"try:\n    open({str(results / 'results.json')!r}, 'w').write('{{}}'); print('RESULTS-WRITTEN')\n"
            f"except OSError:\n    print('RESULTS-BLOCKED')\n")
    res, cells = run(work, code)
    assert "NO NAMESPACES" in ProcessSandbox().describe()
    assert "HIDDEN-BLOCKED" in res.stderr and "HIDDEN-READ" not in res.stderr, res.stderr
    assert "RESULTS-BLOCKED" in res.stderr and not (results / "results.json").exists(), res.stderr
    assert "UID 0" not in res.stderr and cells[0]["status"] == "ok"
