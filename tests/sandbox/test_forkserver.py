"""The trusted fork server: reference runs forked from a preloaded interpreter observe exactly what
spawned ones do; submissions never go through it; a dead server costs only a fallback."""
import dataclasses

import numpy as np
import pytest

from autograder.probe import observe, reference_cells
from autograder.sandbox import forkserver
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import get_topic


def _values(obs):
    return {tid: {k: np.asarray(v) for k, v in p.values.items()} for tid, p in obs.probes.items()}


def test_preload_is_read_from_the_trusted_sources():
    job = {"cells": [{"index": 1, "source": "import numpy as np\nimport torch.nn as nn\nfrom sklearn import x\n"
                                             "def f():\n    import scipy\n"}],
           "probes_source": "from torch import nn\nimport json\n"}
    assert forkserver.preload_for(job) == ("numpy", "sklearn", "torch")  # scipy: not at top level
    assert forkserver.preload_for({"cells": [{"source": "def broken(:"}]}) == ("numpy",)


def test_forked_reference_observes_what_a_spawned_one_does(monkeypatch):
    t = get_topic("10")
    box = ProcessSandbox(isolate=False)
    monkeypatch.setenv(forkserver.ENV, "0")
    spawned = observe(topic=t, cells=reference_cells(t), seed=11, sandbox=box)
    monkeypatch.setenv(forkserver.ENV, "1")
    forked = [observe(topic=t, cells=reference_cells(t), seed=11, sandbox=box) for _ in range(2)]
    assert any(s.alive for s in forkserver._servers.values())
    want = _values(spawned)
    assert all(p.status == "ok" for p in spawned.probes.values())
    for obs in forked:
        assert obs.run.returncode == 0
        got = _values(obs)
        assert got.keys() == want.keys()
        for tid in want:
            assert got[tid].keys() == want[tid].keys()
            for k in want[tid]:
                np.testing.assert_array_equal(got[tid][k], want[tid][k])


def test_submissions_are_never_forked(monkeypatch, tmp_path):
    def refuse(*a, **k):
        raise AssertionError("a sandboxed run asked the trusted fork server")

    monkeypatch.setattr(forkserver, "server", refuse)
    t = get_topic("10")
    t1 = dataclasses.replace(t, tests=t.tests[:1])
    obs = observe(topic=t1, cells=[{"index": 1, "source": "x = 1\n"}], seed=1, sandbox=ProcessSandbox())
    assert obs.cells is not None


def test_a_dead_server_falls_back_to_spawning(monkeypatch):
    monkeypatch.setenv(forkserver.ENV, "1")
    t = get_topic("10")
    t1 = dataclasses.replace(t, tests=t.tests[:1])
    box = ProcessSandbox(isolate=False)
    observe(topic=t1, cells=reference_cells(t), seed=2, sandbox=box)
    for srv in list(forkserver._servers.values()):
        srv.proc.kill()
        srv.proc.wait()
        srv._reader.join(5)
        assert not srv.alive
    obs = observe(topic=t1, cells=reference_cells(t), seed=2, sandbox=box)
    assert all(p.status == "ok" for p in obs.probes.values())
