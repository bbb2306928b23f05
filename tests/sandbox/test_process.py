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
