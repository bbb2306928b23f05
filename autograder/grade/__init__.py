"""Grading: submissions in, reports out. Runs the reference once per grading run (trusted), each
submission in its own sandbox (untrusted), and computes verdicts here, between the two."""
from __future__ import annotations

import functools
import hashlib
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
    notes.extend(sub.notes)  # cells the reader skipped, and why
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
          seed: int | None = None, jobs: int = 1, progress: Callable | None = None,
          gradebook: str | None = None, naming: str | None = None) -> list[Report]:
    """Grade ``submissions`` (files, folders, or LMS zips) for ``topic`` into ``out/<student>/``.

    The student of each file comes from its name (``naming``: a regex with a named group
    ``student``; the default handles Canvas exports and plain ``student.ipynb``). With
    ``gradebook`` (an SQLAlchemy URL or a SQLite path), every graded submission is committed to it
    as soon as it finishes, and submissions already there (same student, topic, content hash and
    grader version) are not graded again: their stored report is returned with ``cached=True``."""
    from autograder.collect import collect
    from autograder.gradebook import Gradebook, grader_version
    from autograder.report import load_report

    t = get_topic(topic)
    out = Path(out)
    intake = collect(sources=submissions, workdir=out / "_intake", pattern=naming)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    box = get_sandbox(sandbox)
    book = Gradebook(gradebook) if gradebook else None
    version = grader_version(t)
    reports: dict[int, Report] = {}
    todo = []
    for i, item in enumerate(intake):
        if book is not None:
            sha = hashlib.sha256(item.path.read_bytes()).hexdigest()
            row = book.has(student=item.student, topic=t.name, sha256=sha, version=version)
            if row is not None:
                cached = load_report(Path(row.report_path))
                if cached is not None:
                    reports[i] = cached
                    if progress:
                        progress(item.student)
                    continue
                # the report folder is gone: grade again (the row stays; it is the same grade)
        todo.append((i, item))
    ref = reference_observations(t, seed) if todo else None
    slots: queue.Queue[int] = queue.Queue()
    for k in range(max(1, jobs)):
        slots.put(k)

    def work(entry):
        i, item = entry
        slot = slots.get()
        try:
            r = grade_one(topic=t, path=item.path, out_dir=out / item.student, seed=seed,
                          sandbox=box, ref=ref, slot=slot, name=item.student)
            if book is not None:
                book.record(student=item.student, topic=t.name, sha256=r.sha256, version=version,
                            score=r.score, max_score=r.max_score, seed=seed, sandbox=r.sandbox,
                            report_path=str((out / item.student / "results.json").resolve()))
            return i, r
        finally:
            slots.put(slot)
            if progress:
                progress(item.student)

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for i, r in pool.map(work, todo):
                reports[i] = r
    finally:
        if book is not None:
            book.close()
    return [reports[i] for i in sorted(reports)]

