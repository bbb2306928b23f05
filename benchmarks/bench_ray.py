"""Local executor vs Ray executor, the same 40 submissions (20 of topic 10, 20 of topic 01).

Prints wall time, throughput, the per-submission overhead of the Ray path, the driver's peak
memory (each mode runs in its own driver process), the job/bundle serialisation cost, the driver's
own time per submission (verdicts + report), and the throughput expected with more nodes.

    python3 benchmarks/bench_ray.py                    # starts a local head + 2 one-CPU nodes
    python3 benchmarks/bench_ray.py --address H:6379   # an existing cluster (its nodes as they are)

Needs the cluster extra (pip install '.[cluster]'). Both modes use the process sandbox and the same
parallelism (2 local slots; 2 one-CPU Ray nodes), so the difference is the Ray path's overhead.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOPICS = ("10_dl_basics", "01_preprocessing")
PER_TOPIC = 20
SEED = 7


def make_submissions(tmp: Path) -> dict[str, Path]:
    out = {}
    for topic in TOPICS:
        src = sorted((ROOT / "examples" / topic).glob("*.ipynb")) + sorted(
            (ROOT / "tests" / "fixtures" / topic).glob("*.ipynb"))
        src = [p for p in src if p.stat().st_size < 2_000_000]
        d = tmp / topic
        d.mkdir(parents=True)
        for k in range(PER_TOPIC):
            shutil.copy(src[k % len(src)], d / f"s{k:02d}.ipynb")
        out[topic] = d
    return out


def one(mode: str, address: str | None, subs_dir: Path, out: Path) -> dict:
    """Runs in its own process: grade both topics, report wall time and peak RSS."""
    from autograder.grade import grade

    t0 = time.perf_counter()
    n = 0
    scores = {}
    for topic in TOPICS:
        reports = grade(topic=topic, submissions=[str(subs_dir / topic)], out=str(out / mode),
                        seed=SEED, sandbox="process", jobs=2, executor=mode, address=address)
        n += len(reports)
        scores.update({f"{topic}/{r.submission}": r.score for r in reports})
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "n": n, "wall_s": wall, "driver_peak_rss_mb": rss, "scores": scores}


def serialisation_cost() -> dict:
    from autograder.gradebook import grader_version
    from autograder.grade import _finish, _prepare
    from autograder.job import GradingJob, ResultBundle, build_job, run_job, topic_files
    from autograder.sandbox.process import ProcessSandbox
    from autograder.topics import get_topic

    t = get_topic("10")
    sub, findings = _prepare(t, ROOT / "examples" / "10_dl_basics" / "alice.ipynb")
    cells = [{"index": c.index, "source": c.source} for c in sub.cells]
    files, gv = topic_files(t), grader_version(t)
    reps = 50
    t0 = time.perf_counter()
    for _ in range(reps):
        job = build_job(topic=t, student="s", sha256=sub.sha256, cells=cells, seed=SEED, files=files,
                        grader_version=gv)
        GradingJob.from_bytes(job.to_bytes())
    job_ms = (time.perf_counter() - t0) / reps * 1e3
    bundle = run_job(job, sandbox=ProcessSandbox())
    t0 = time.perf_counter()
    for _ in range(reps):
        raw = bundle.to_bytes()
        back = ResultBundle.from_bytes(raw)
    bundle_ms = (time.perf_counter() - t0) / reps * 1e3
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        for k in range(10):
            _finish(topic=t, sub=sub, findings=findings, ref=back.reference, obs=back.submission,
                    seed=SEED, out_dir=Path(d) / str(k), name="s", sandbox="process", isolation="",
                    gpu=None, t0=time.monotonic())
        driver_ms = (time.perf_counter() - t0) / 10 * 1e3
    return {"job_ms": job_ms, "job_bytes": len(job.to_bytes()), "bundle_ms": bundle_ms,
            "bundle_bytes": len(raw), "driver_ms": driver_ms}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", default=None)
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--subs", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.address, Path(args.subs), Path(args.out))))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    cluster = None
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTOGRADER_ROOT": str(ROOT),
           "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "disabled")}
    try:
        subs = make_submissions(tmp)
        address = args.address
        if address is None:
            sys.path.insert(0, str(ROOT / "tests" / "cluster"))
            from localcluster import LocalCluster

            t0 = time.perf_counter()
            cluster = LocalCluster(env=env)
            cluster.start_head(num_cpus=0)
            cluster.add_node("node_a", num_cpus=1)
            cluster.add_node("node_b", num_cpus=1)
            cluster.wait_nodes(3)
            address = cluster.address
            print(f"local cluster (head + 2 one-CPU nodes) up in {time.perf_counter() - t0:.1f} s")
        res = {}
        for mode in ("local", "ray"):
            cmd = [sys.executable, __file__, "--one", mode, "--subs", str(tmp), "--out", str(tmp / "out")]
            if mode == "ray":
                cmd += ["--address", address]
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
            if p.returncode != 0:
                print(p.stdout[-2000:], p.stderr[-3000:])
                return 1
            res[mode] = json.loads(p.stdout.strip().splitlines()[-1])
        ser = serialisation_cost()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    loc, ray_ = res["local"], res["ray"]
    n = loc["n"]
    same = loc["scores"] == ray_["scores"]
    print(f"\n{n} submissions ({PER_TOPIC} of each of {', '.join(TOPICS)}), process sandbox, "
          f"2 slots each way; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':22}{'wall (s)':>10}{'subs/min':>10}{'driver peak RSS (MB)':>22}")
    for r in (loc, ray_):
        print(f"{r['mode'] + ' executor':22}{r['wall_s']:>10.1f}{60 * n / r['wall_s']:>10.1f}"
              f"{r['driver_peak_rss_mb']:>22.0f}")
    over = (ray_["wall_s"] - loc["wall_s"]) / n
    print(f"Ray path overhead per submission: {over * 1e3:+.0f} ms of wall time at equal parallelism "
          f"(scores identical: {same})")
    print(f"job build + to_bytes + schema-checked from_bytes: {ser['job_ms']:.1f} ms "
          f"({ser['job_bytes'] / 1024:.0f} KiB); result bundle to_bytes + from_bytes: "
          f"{ser['bundle_ms']:.1f} ms ({ser['bundle_bytes'] / 1024:.0f} KiB)")
    print(f"driver's own work per submission (verdicts + report): {ser['driver_ms']:.0f} ms")

    # Expected scaling: each node runs `cpus` jobs at once; a job takes what one slot took here
    # (local wall x 2 slots / n) plus the measured overhead; the driver judges serially, so
    # throughput is capped at 1 / driver time.
    per_job = 2 * loc["wall_s"] / n + max(over, 0.0) * 2
    cap = 60_000 / max(ser["driver_ms"], 1e-3)
    print(f"\nexpected throughput with N nodes of 8 CPUs (a job = {per_job:.2f} s of one CPU; the "
          f"driver caps it at {cap:.0f}/min):")
    for nodes in (1, 2, 4, 8, 16, 32):
        ideal = nodes * 8 * 60 / per_job
        print(f"  {nodes:>3} nodes: {min(ideal, cap):>8.0f} submissions/min"
              + ("  (driver-bound)" if ideal > cap else ""))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
