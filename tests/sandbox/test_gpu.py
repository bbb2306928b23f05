"""GPU plumbing without a GPU: the one detector's decision with the device simulated absent and
present, the device passed into the process sandbox, and CUDA tests reported not run. Nothing here
simulates a GPU *result*: a device node without a driver gives no CUDA, and no test passes on it."""
import json
import os

import pytest

from autograder.sandbox.gpu import Gpu, detect_from, device_nodes
from autograder.sandbox.process import ProcessSandbox, bwrap_mode
from autograder.topics import Limits

OK = {"ok": True, "name": "Simulated GPU", "capability": "9.0", "count": 1, "memory": 80 << 30}


def test_detector_needs_both_device_nodes_and_a_cuda_torch(tmp_path):
    assert device_nodes(str(tmp_path)) == []
    (tmp_path / "nvidiactl").touch()
    (tmp_path / "nvidia0").touch()
    nodes = device_nodes(str(tmp_path))
    assert [os.path.basename(n) for n in nodes] == ["nvidia0", "nvidiactl"]
    assert detect_from([], OK) is None  # no device: torch is not even asked
    assert detect_from(nodes, None) is None  # torch could not be asked
    assert detect_from(nodes, {"ok": False}) is None  # a CPU-only torch: no GPU for grading
    gpu = detect_from(nodes, OK)
    assert gpu.name == "Simulated GPU" and gpu.capability == "9.0" and gpu.devices == tuple(nodes)
    assert "9.0" in gpu.describe()


def test_this_host_has_no_gpu_and_says_so():
    from autograder.grade import host_gpu

    assert host_gpu() is None or isinstance(host_gpu(), str)


PROBE = ("import os, resource, json\nfrom autograder.checks.speed import cuda_available\n"
         "print('GPU-PROBE', json.dumps({'node': os.path.exists(NODE), 'cuda': cuda_available(), "
         "'as_limited': resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY}))")


@pytest.mark.skipif(bwrap_mode() is None, reason="needs bubblewrap")
@pytest.mark.parametrize("present", [False, True])
def test_gpu_probe_through_the_sandbox_with_the_device_absent_and_present(tmp_path, present):
    node = tmp_path / "dev" / "nvidia0"
    node.parent.mkdir()
    node.touch()  # a stand-in for the device node (no driver behind it)
    gpu = Gpu(name="Simulated GPU", capability="9.0", devices=(str(node),)) if present else None
    work = tmp_path / "work"
    work.mkdir()
    job = {"cells": [{"index": 1, "source": f"NODE = {str(node)!r}\n" + PROBE}], "probes_source": "",
           "probes": [], "seed": 0}
    res = ProcessSandbox(gpu=gpu).run(workdir=work, job=job, limits=Limits(wall_s=90, gpu=True))
    line = next(ln for ln in res.stderr.splitlines() if ln.startswith("GPU-PROBE"))
    seen = json.loads(line.split(" ", 1)[1])
    assert seen["node"] is present  # the device is passed in only when the worker has one
    assert seen["cuda"] is False  # a node without a driver is no GPU: nothing passes on it
    from autograder.sandbox.cgroup import detect

    if present and detect():
        assert not seen["as_limited"]  # CUDA needs the address space; the cgroup limits memory
    assert (res.device == gpu.describe()) if present else res.device is None


def test_not_run_gpu_tests_are_neither_passed_nor_failed_on_gradescope():
    from autograder.report import Report
    from autograder.verdict import TestResult

    tests = [TestResult(id="a", name="cpu test", kind="V", score=1.0, max_score=1.0, status="passed", output=""),
             TestResult(id="g", name="gpu test", kind="P", score=0.0, max_score=2.0, status="not_run",
                        output="not run: this test needs a CUDA GPU and the grading host has none")]
    r = Report(submission="s", topic="t", sha256="x", seed=1, sandbox="process", isolation="",
               execution_time=0.1, tests=tests)
    gs = r.to_gradescope()
    gpu = next(t for t in gs["tests"] if t["extra_data"]["id"] == "g")
    assert "status" not in gpu and gpu["max_score"] == 0 and gpu["extra_data"]["points_apart"] == 2.0
    assert gs["score"] == 1.0 and r.not_run_points == 2.0
