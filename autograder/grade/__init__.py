"""Grading: submissions in, reports out. Runs the reference once per grading run (trusted), each
submission in its own sandbox (untrusted), and computes verdicts here, between the two."""
from __future__ import annotations

import functools
import hashlib
import json
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
              ref: Observations, slot: int = 0, name: str | None = None,
              late: dict | None = None, info: dict | None = None) -> Report:
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
                    execution_time=time.monotonic() - t0, tests=results, notes=notes, device=gpu,
                    late=dict(late or {}), info=dict(info or {}))
    write_report(report, out_dir)
    if obs is not None:
        (out_dir / "output.txt").write_text(obs.run.stderr)
    return report


def _intake_notes(item) -> list[str]:
    if not item.others:
        return []
    return [f"you submitted {len(item.others) + 1} files; the latest, {item.original!r}, was graded "
            f"(not graded: {', '.join(repr(o) for o in item.others[:10])})"]


def _error_report(*, topic: Topic, item, out_dir: Path, seed: int, sandbox: Sandbox,
                  late: dict, info: dict) -> Report:
    """The report of a student whose file could not be taken (oversize, unreadable, a link):
    zero with the reason, never a batch error."""
    results = judge(topic=topic, ref=None, sub=None, fatal=item.error, findings=[], seed=seed)
    sha = hashlib.sha256(f"intake-error\0{item.student}\0{item.error}".encode()).hexdigest()
    report = Report(submission=item.student, topic=topic.name, sha256=sha, seed=seed,
                    sandbox=sandbox.name, isolation=sandbox.describe(), execution_time=0.0,
                    tests=results, notes=[item.error] + _intake_notes(item), late=late, info=info)
    write_report(report, out_dir)
    return report


def grade(*, topic: str, submissions: list, out: str | Path, sandbox: str = "auto",
          seed: int | None = None, jobs: int = 1, progress: Callable | None = None,
          gradebook: str | None = None, naming: str | None = None, force: bool = False,
          course: str | Path | None = None) -> list[Report]:
    """Grade ``submissions`` (files, folders, or LMS zips) for ``topic`` into
    ``out/<topic>/students/<student>/`` (see :mod:`autograder.collect` for who a file belongs to).

    With ``gradebook`` (an SQLAlchemy URL or a SQLite path; the CLI's default is
    ``out/gradebook.sqlite``), every graded submission is committed to it as soon as it finishes,
    and submissions already there (same student, topic, content hash and grader version) are not
    graded again: their stored report is returned with ``cached=True`` (``force`` grades them
    again and replaces their rows). ``course``: the course config (late policy, due dates; see
    :mod:`autograder.course`)."""
    import tempfile

    from autograder.collect import collect, topic_dir
    from autograder.course import load_course
    from autograder.errors import UserError

    if not isinstance(jobs, int) or jobs < 1:
        raise UserError(f"--jobs must be a whole number of at least 1, not {jobs!r}")
    t = get_topic(topic)
    out = Path(out)
    assignment = load_course(course).assignment(t)
    try:
        topic_dir(out, t.name).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot create it ({exc.strerror})") from None
    workdir = Path(tempfile.mkdtemp(prefix=".intake-", dir=topic_dir(out, t.name)))
    try:
        intake = collect(sources=submissions, workdir=workdir, pattern=naming)
        if not intake:
            raise UserError(f"no submissions found in {', '.join(map(str, submissions))} "
                            f"(looked for .ipynb and .py files, and in zips and student folders)")
        return _grade_intake(t=t, intake=intake, out=out, sandbox=sandbox, seed=seed, jobs=jobs,
                             progress=progress, gradebook=gradebook, force=force,
                             assignment=assignment)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _grade_intake(*, t, intake, out, sandbox, seed, jobs, progress, gradebook, force,
                  assignment) -> list[Report]:
    from autograder.collect import student_dir
    from autograder.course import lateness
    from autograder.gradebook import Gradebook, grader_version
    from autograder.report import load_report

    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    book = Gradebook(gradebook) if gradebook else None
    version = grader_version(t)
    reports: dict[int, Report] = {}
    todo = []
    for i, item in enumerate(intake):
        if book is not None and not force:
            if item.path is not None:
                sha = hashlib.sha256(item.path.read_bytes()).hexdigest()
            else:
                sha = hashlib.sha256(f"intake-error\0{item.student}\0{item.error}".encode()).hexdigest()
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
    box = get_sandbox(sandbox) if todo else None
    ref = reference_observations(t, seed) if any(it.path is not None for _, it in todo) else None
    slots: queue.Queue[int] = queue.Queue()
    for k in range(max(1, jobs)):
        slots.put(k)

    def work(entry):
        i, item = entry
        slot = slots.get()
        try:
            late = lateness(assignment=assignment, submitted_at=item.submitted_at,
                            lms_late=item.late, lms=item.lms)
            info = item.info()
            out_dir = student_dir(out, t.name, item.student)
            if item.path is None:
                r = _error_report(topic=t, item=item, out_dir=out_dir, seed=seed, sandbox=box,
                                  late=late, info=info)
            else:
                r = grade_one(topic=t, path=item.path, out_dir=out_dir, seed=seed,
                              sandbox=box, ref=ref, slot=slot, name=item.student, late=late,
                              info=info)
                extra = _intake_notes(item)
                if extra:  # the report is rewritten with the note (rare: students with 2+ files)
                    r.notes[:0] = extra
                    write_report(r, out_dir)
            if book is not None:
                book.record(student=item.student, topic=t.name, sha256=r.sha256, version=version,
                            score=r.score, max_score=r.max_score, seed=seed, sandbox=r.sandbox,
                            report_path=str((out_dir / "results.json").resolve()), force=force,
                            name=item.name or None, lms=item.lms, user_id=item.user_id,
                            submission_id=item.submission_id, submitted_at=item.submitted_at,
                            late=bool(late.get("late")), days_late=int(late.get("days", 0)),
                            penalty_percent=r.penalty_percent, raw_score=r.raw_score,
                            tests=json.dumps([{"id": x.id, "name": x.name, "score": x.score,
                                               "max_score": x.max_score, "status": x.status}
                                              for x in r.tests]))
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
