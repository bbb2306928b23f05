"""The grading job and result bundle: plain data both ways, checked on receipt."""
import json

import numpy as np
import pytest

from autograder.job import (GradingJob, JobError, ReferenceCache, ResultBundle, VersionMismatch,
                            build_job, job_topic, obs_from_dict, obs_to_dict)
from autograder.probe import Observations, ProbeObs
from autograder.sandbox import RunResult
from autograder.topics import get_topic

SHA = "0" * 64


@pytest.fixture(scope="module")
def job():
    topic = get_topic("10")
    return build_job(topic=topic, student="alice", sha256=SHA, seed=7,
                     cells=[{"index": 1, "source": "x = 1"}])


def test_job_round_trips_and_carries_the_hidden_files(job):
    back = GradingJob.from_bytes(job.to_bytes())
    assert back == job
    assert {"manifest.toml", "reference.py", "probes.py"} <= set(back.files)
    topic = job_topic(back)
    assert topic.source("probes.py") == job.files["probes.py"]  # from memory, not from disk
    assert [t.id for t in topic.tests] == job.tests


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("seed"),
    lambda d: d.update(schema=99),
    lambda d: d.update(extra=1),
    lambda d: d["submission"].update(sha256="../etc"),
    lambda d: d["topic"].update(name="../../x"),
    lambda d: d["submission"]["cells"].append({"index": "1", "source": 3}),
    lambda d: d["limits"].update(memory_mb=True),
])
def test_malformed_jobs_are_refused_on_receipt(job, mutate):
    doc = json.loads(job.to_bytes())
    mutate(doc)
    with pytest.raises(JobError):
        GradingJob.from_bytes(json.dumps(doc).encode())


def test_hand_check_agrees_without_jsonschema(job, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_jsonschema(name, *a, **k):
        if name == "jsonschema":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_jsonschema)
    GradingJob.from_bytes(job.to_bytes())
    doc = json.loads(job.to_bytes())
    doc["seed"] = "7"
    with pytest.raises(JobError):
        GradingJob.from_dict(doc)


def _obs(arr):
    run = RunResult(sandbox="process", isolation="x", returncode=0, wall_s=1.0,
                    markers=[("start", "p", 0.1), ("end", "p", 0.2)])
    return Observations(run=run, cells=[{"index": 1, "status": "ok"}], violations=[],
                        probes={"p": ProbeObs(id="p", status="ok", scalars={"n": 3}, arrays={"a": arr},
                                              wall_trusted=0.1)})


def test_bundle_round_trips_arrays_without_pickle():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = ResultBundle(key={"student": "a"}, reference=_obs(arr), submission=_obs(arr * 2), device=None)
    back = ResultBundle.from_bytes(b.to_bytes())
    got = back.submission.probes["p"].arrays["a"]
    assert got.dtype == np.float32 and got.shape == (3, 4) and np.array_equal(got, arr * 2)
    assert back.reference.run.probe_wall() == pytest.approx({"p": 0.1})
    # An object array (a pickle inside .npy) never loads.
    doc = obs_to_dict(_obs(arr))
    import base64
    import io
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    doc["probes"]["p"]["arrays"]["a"] = base64.b64encode(buf.getvalue()).decode()
    with pytest.raises(JobError):
        obs_from_dict(doc)


def test_bundle_from_another_engine_is_refused():
    b = ResultBundle(key={}, reference=_obs(np.zeros(1)), submission=None, engine="0.0.0")
    with pytest.raises(VersionMismatch):
        ResultBundle.from_bytes(b.to_bytes())


def test_reference_cache_computes_once_per_key():
    cache = ReferenceCache(size=2)
    calls = []
    for key in ["a", "a", "b", "a"]:
        cache.get(key, lambda: calls.append(1) or len(calls))
    assert len(calls) == 2 and cache.misses == 2


def test_a_real_bundle_carries_every_observation_field(job):
    """Every field of the observations (including fields added after this test) survives the trip."""
    import dataclasses

    from autograder.job import run_job
    from autograder.sandbox.process import ProcessSandbox

    b = run_job(GradingJob.from_bytes(job.to_bytes()), sandbox=ProcessSandbox(), cache=ReferenceCache())
    back = ResultBundle.from_bytes(b.to_bytes())
    for side in ("reference", "submission"):
        a, z = getattr(b, side), getattr(back, side)
        assert dataclasses.asdict(a.run) == dataclasses.asdict(z.run)
        for pid, p in a.probes.items():
            q = z.probes[pid]
            for f in dataclasses.fields(p):
                if f.name != "arrays":
                    assert getattr(p, f.name) == getattr(q, f.name), (side, pid, f.name)
            assert set(p.arrays) == set(q.arrays)
            for k in p.arrays:
                assert p.arrays[k].dtype == q.arrays[k].dtype
                np.testing.assert_array_equal(p.arrays[k], q.arrays[k])  # NaN equals NaN here
