"""Grading: submissions in, reports out. Runs the reference once per grading run (trusted), each
submission in its own sandbox (untrusted), and computes verdicts here, between the two."""
from __future__ import annotations

import functools
import queue
import secrets
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.probe import Observations, observe, reference_cells
from autograder.report import Report, write_report
from autograder.sandbox import Sandbox, get_sandbox
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import Topic, get_topic
from autograder.verdict import judge

SUBMISSION_SUFFIXES = (".ipynb", ".py")


@functools.lru_cache(maxsize=1)
def host_gpu() -> str | None:
    """The name of the first NVIDIA GPU on this host, or None."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except Exception:  # noqa: BLE001
        return None
    names = out.stdout.strip().splitlines()
    return names[0].strip() if out.returncode == 0 and names else None


def expand(submissions) -> list[Path]:
    """Files as given; folders contribute their notebooks and .py files (sorted)."""
    paths: list[Path] = []
    for s in submissions:
        p = Path(s)
        if p.is_dir():
            paths += sorted(q for q in p.iterdir() if q.is_file() and q.suffix in SUBMISSION_SUFFIXES)
        else:
            paths.append(p)
    return paths


def reference_observations(topic: Topic, seed: int) -> Observations:
    obs = observe(topic=topic, cells=reference_cells(topic), seed=seed,
                  sandbox=ProcessSandbox(isolate=False))
    return obs


def grade_one(*, topic: Topic, path: Path, out_dir: Path, seed: int, sandbox: Sandbox,
              ref: Observations, slot: int = 0, name: str | None = None) -> Report:
    t0 = time.monotonic()
    sub = load_submission(path)
    notes: list[str] = []
    obs = None
    findings = []
    if not sub.fatal:
        if not sub.cells:
            sub.fatal = f"{path.name} contains no code cells"
        else:
            findings = scan([(c.index, c.source) for c in sub.cells], topic.forbidden)
            obs = observe(topic=topic, cells=[{"index": c.index, "source": c.source} for c in sub.cells],
                          seed=seed, sandbox=sandbox, slot=slot)
    gpu = getattr(sandbox, "gpu_name", None) or (host_gpu() if topic.limits.gpu else None)
    results = judge(topic=topic, ref=ref, sub=obs, fatal=sub.fatal, findings=findings, seed=seed,
                    has_gpu=gpu is not None)
    for f in findings:
        notes.append(f.describe())
    if obs is not None:
        for c in obs.cells or []:
            if isinstance(c, dict) and c.get("status") == "error":
                first = next((x.first_line for x in sub.cells if x.index == c.get("index")), "")
                notes.append(f"code cell {c.get('index')} ({first[:40]!r}) raised "
                             f"{str(c.get('error'))[:300]}")
        if obs.run.killed_reason:
            notes.append(f"the submission's process was stopped: {obs.run.killed_reason}")
        if obs.run.stderr_truncated:
            notes.append("the submission printed too much; its output was cut")
    report = Report(submission=name or path.stem, topic=topic.name, sha256=sub.sha256, seed=seed,
                    sandbox=sandbox.name, isolation=sandbox.describe(),
                    execution_time=time.monotonic() - t0, tests=results, notes=notes, device=gpu)
    write_report(report, out_dir)
    if obs is not None:
        (out_dir / "output.txt").write_text(obs.run.stderr)
    return report


def grade(*, topic: str, submissions: list, out: str | Path, sandbox: str = "auto",
          seed: int | None = None, jobs: int = 1, progress: Callable | None = None) -> list[Report]:
    """Grade ``submissions`` (files or folders) for ``topic`` into ``out/<submission>/``."""
    t = get_topic(topic)
    paths = expand(submissions)
    out = Path(out)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    box = get_sandbox(sandbox)
    ref = reference_observations(t, seed)
    names = _unique_names(paths)
    slots: queue.Queue[int] = queue.Queue()
    for i in range(max(1, jobs)):
        slots.put(i)

    def work(item):
        path, name = item
        slot = slots.get()
        try:
            return grade_one(topic=t, path=path, out_dir=out / name, seed=seed, sandbox=box,
                             ref=ref, slot=slot, name=name)
        finally:
            slots.put(slot)
            if progress:
                progress(name)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(work, zip(paths, names)))


def _unique_names(paths: list[Path]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for p in paths:
        n = p.stem
        seen[n] = seen.get(n, 0) + 1
        names.append(n if seen[n] == 1 else f"{n}-{seen[n]}")
    return names
