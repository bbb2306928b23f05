"""Grading on a real local Ray cluster: a head (no CPUs for tasks) and two worker nodes as separate
processes, told apart by custom resources; node_b declares one logical GPU. 40 submissions of two
topics, process sandbox on each node.

    python3 -m pytest -q -m cluster tests/cluster -p no:cacheprovider
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="needs the cluster extra: pip install '.[cluster]'")

from autograder.gradebook import Gradebook  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from localcluster import LocalCluster  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TOPICS = ("10_dl_basics", "01_preprocessing")
SEED = 20261123
PER_TOPIC = 20  # 40 submissions in all


@pytest.fixture(scope="module")
def cluster():
    c = LocalCluster(env={"PYTHONPATH": str(ROOT), "AUTOGRADER_ROOT": str(ROOT),
                          "RAY_AUTH_MODE": "disabled"})
    try:
        c.start_head(num_cpus=0)  # the driver's node: jobs run on the worker nodes only
        c.add_node("node_a", num_cpus=1)
        c.add_node("node_b", num_cpus=1, num_gpus=1)  # a logical GPU: a resource, not a device
        c.wait_nodes(3)
        yield c
    finally:
        c.stop()


@pytest.fixture(autouse=True)
def _driver_env(monkeypatch):
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)


def _submissions(tmp: Path, topic: str) -> Path:
    """PER_TOPIC notebooks: the examples and fixtures of the topic, under distinct student names."""
    src = sorted((ROOT / "examples" / topic).glob("*.ipynb")) + sorted(
        (ROOT / "tests" / "fixtures" / topic).glob("*.ipynb"))
    src = [p for p in src if p.stat().st_size < 2_000_000]
    d = tmp / f"subs-{topic}"
    d.mkdir(parents=True, exist_ok=True)
    for k in range(PER_TOPIC):
        shutil.copy(src[k % len(src)], d / f"s{k:02d}_{topic[:2]}.ipynb")
    return d


def _grade(topic, subs, out, **kw):
    from autograder.grade import grade

    return {r.submission: r for r in grade(topic=topic, submissions=[str(subs)], out=str(out),
                                           seed=SEED, sandbox="process", **kw)}


def _rows(book: str):
    gb = Gradebook(book)
    try:
        return gb.rows()
    finally:
        gb.close()


def test_ray_scores_equal_local_scores_for_40_submissions_of_two_topics(cluster, tmp_path):
    for topic in TOPICS:
        subs = _submissions(tmp_path, topic)
        local = _grade(topic, subs, tmp_path / "local", jobs=2)
        remote = _grade(topic, subs, tmp_path / "ray", executor="ray", address=cluster.address,
                        gradebook=str(tmp_path / "ray.sqlite"))
        assert len(local) == len(remote) == PER_TOPIC
        for name, r in local.items():
            got = remote[name]
            assert [(t.id, t.status, t.score) for t in got.tests] == \
                   [(t.id, t.status, t.score) for t in r.tests], name
            assert got.grader_errors == 0
    rows = _rows(str(tmp_path / "ray.sqlite"))
    assert len(rows) == 2 * PER_TOPIC
    assert len({(r.student, r.topic, r.sha256, r.grader_version) for r in rows}) == len(rows)


def _gpu_root(tmp: Path) -> Path:
    """A course root whose topic 10 has one extra test that requires CUDA."""
    root = tmp / "gpuroot"
    for part in ("reference", "assignments", "solutions"):
        shutil.copytree(ROOT / part / "10_dl_basics", root / part / "10_dl_basics")
    manifest = root / "reference" / "10_dl_basics" / "manifest.toml"
    manifest.write_text(manifest.read_text() + '\n[[tests]]\nid = "activations_on_cuda"\n'
                        'probe = "activations_forward"\npoints = 1\nkind = "V"\nrequires = "cuda"\n')
    return root


def test_jobs_with_cuda_tests_ask_for_a_gpu_and_land_only_on_the_gpu_node(cluster, tmp_path,
                                                                         monkeypatch):
    from autograder.executors.ray import RayExecutor
    from autograder.job import build_job
    from autograder.topics import get_topic

    root = _gpu_root(tmp_path)
    gpu_topic = get_topic("10", root=root)
    cpu_topic = get_topic("01")
    cells = [{"index": 1, "source": "x = 1"}]
    jobs = [build_job(topic=gpu_topic, student=f"g{k}", sha256=f"{k:064x}", cells=cells, seed=SEED,
                      gpu=True) for k in range(4)]
    jobs += [build_job(topic=cpu_topic, student=f"c{k}", sha256=f"{k:064x}", cells=cells, seed=SEED)
             for k in range(4)]
    ex = RayExecutor(address=cluster.address, sandbox="process")
    try:
        assert ex.gpus() is True
        nodes = {n["NodeID"]: n["Resources"] for n in ray.nodes() if n["Alive"]}
        out = dict(ex.run(jobs))
    finally:
        ex.close()
    assert len(out) == 8
    for i, b in out.items():
        assert not hasattr(b, "message"), b
        where = nodes[b.worker["node_id"]]
        if jobs[i].gpu:
            assert "node_b" in where and b.worker["gpu_ids"]  # Ray gave it the GPU, alone
            # No CUDA device behind the logical GPU: the CUDA test ran on neither side.
            assert b.device is None and "activations_on_cuda" not in b.submission.probes
        else:
            assert b.worker["gpu_ids"] == []

    # Through grade(): the CUDA test is reported not run, never passed or failed.
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    subs = tmp_path / "gsubs"
    subs.mkdir()
    shutil.copy(ROOT / "examples" / "10_dl_basics" / "alice.ipynb", subs / "alice.ipynb")
    r = _grade("10", subs, tmp_path / "gout", executor="ray", address=cluster.address)["alice"]
    status = {t.id: t.status for t in r.tests}
    assert status["activations_on_cuda"] == "not_run"
    assert r.score == r.max_score > 0


def test_a_worker_node_killed_mid_batch_loses_and_duplicates_nothing(cluster, tmp_path):
    topic = "10_dl_basics"
    subs = _submissions(tmp_path, topic)
    book = str(tmp_path / "book.sqlite")
    done = []
    result = {}

    def run():
        result["reports"] = _grade(topic, subs, tmp_path / "out", executor="ray",
                                   address=cluster.address, gradebook=book,
                                   progress=lambda name: done.append(name))

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 600
    while len(done) < 3 and time.monotonic() < deadline and t.is_alive():
        time.sleep(0.2)
    cluster.kill_node("node_a")  # raylet, its workers and the sandboxes they run, at once
    t.join(900)
    try:
        assert not t.is_alive()
        reports = result["reports"]
        assert len(reports) == PER_TOPIC and len(done) == PER_TOPIC
        assert all(r.grader_errors == 0 for r in reports.values())
        rows = _rows(book)
        assert sorted(r.student for r in rows) == sorted(reports)  # each graded once
    finally:
        cluster.add_node("node_a", num_cpus=1)
        cluster.wait_nodes(3)


def test_the_driver_killed_and_restarted_grades_every_submission_once(cluster, tmp_path):
    topic = "01_preprocessing"
    subs = _submissions(tmp_path, topic)
    book = tmp_path / "book.sqlite"
    cmd = [sys.executable, "-m", "autograder", "grade", topic, str(subs), "--out", str(tmp_path / "out"),
           "--sandbox", "process", "--seed", str(SEED), "--gradebook", str(book),
           "--executor", "ray", "--address", cluster.address]
    env = dict(cluster.env)  # the package on PYTHONPATH, as on the nodes
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
    deadline = time.monotonic() + 600
    graded_first = 0
    while time.monotonic() < deadline and first.poll() is None:
        graded_first = len(_rows(str(book))) if book.exists() else 0
        if graded_first >= 3:
            break
        time.sleep(0.3)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    graded_first = len(_rows(str(book)))
    assert 0 < graded_first < PER_TOPIC, first.stdout.read().decode(errors="replace")[-2000:]

    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    rows = _rows(str(book))
    assert len(rows) == PER_TOPIC
    assert len({(r.student, r.topic, r.sha256, r.grader_version) for r in rows}) == PER_TOPIC
