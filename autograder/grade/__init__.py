"""Grading: submissions in, reports out. The driver reads each submission, builds its grading job
(``autograder.job``) and hands it to an executor (``autograder.executors``: this host, or Ray), which
runs the reference (trusted) and the submission (sandboxed) on one worker and returns both sides'
observations; verdicts, reports and the gradebook are computed here, on the trusted side."""
from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import time
from pathlib import Path
from typing import Callable

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.notebook.labels import describe_error, relabel
from autograder.probe import Observations, observe, reference_cells
from autograder.report import Report, write_report
from autograder.sandbox import Sandbox, get_sandbox
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import Topic, get_topic
from autograder.verdict import GRADER_ERROR, TestResult, judge
from autograder.gpu import host_gpu  # noqa: F401 - re-exported



def reference_observations(topic: Topic, seed: int) -> Observations:
    obs = observe(topic=topic, cells=reference_cells(topic), seed=seed,
                  sandbox=ProcessSandbox(isolate=False))
    return obs


def _prepare(topic: Topic, path: Path):
    """Read and statically scan one submission on the trusted side (no student code runs)."""
    sub = load_submission(path)
    findings = []
    if not sub.fatal:
        if not sub.cells:
            sub.fatal = f"{path.name} contains no code cells"
        else:
            findings = scan([(c.index, c.source) for c in sub.cells], topic.forbidden)
    return sub, findings


def _finish(*, topic: Topic, sub, findings, ref: Observations | None, obs: Observations | None,
            seed: int, out_dir: Path, name: str, sandbox: str, isolation: str, gpu: str | None,
            t0: float, late: dict | None = None, info: dict | None = None) -> Report:
    """Verdicts and the report, from both sides' observations (trusted side only)."""
    results = judge(topic=topic, ref=ref, sub=obs, fatal=sub.fatal, findings=findings, seed=seed,
                    has_gpu=gpu is not None)
    notes = list(getattr(sub, "notes", []))  # cells the reader skipped, and why
    notes += [f.describe() for f in findings]
    if obs is not None:
        for c in obs.cells or []:
            if isinstance(c, dict) and c.get("status") == "error":
                notes.append(f"code cell {c.get('index')}: "
                             f"{describe_error(str(c.get('error'))[:300], c.get('traceback'))}")
        if obs.run.killed_reason:
            notes.append(f"the submission's process was stopped: {obs.run.killed_reason}")
        if obs.run.stderr_truncated:
            notes.append("the submission printed too much; its output was cut")
    # One name for a cell everywhere (position among code cells + first line), each note once.
    firsts = {c.index: c.first_line for c in sub.cells}
    notes = list(dict.fromkeys(relabel(n, firsts) for n in notes))
    for r in results:
        r.output = relabel(r.output, firsts)
    report = Report(submission=name, topic=topic.name, sha256=sub.sha256, seed=seed,
                    sandbox=sandbox, isolation=isolation, execution_time=time.monotonic() - t0,
                    tests=results, notes=notes, device=gpu, late=dict(late or {}),
                    info=dict(info or {}))
    write_report(report, out_dir)
    if obs is not None:
        (out_dir / "output.txt").write_text(obs.run.stderr)
    return report


def _grader_error_report(*, topic: Topic, sub, seed: int, out_dir: Path, name: str, message: str,
                         sandbox: str, t0: float, late: dict, info: dict) -> Report:
    """Every test a grader error: the job could not be run (not the student's fault)."""
    text = f"GRADER ERROR (not your fault; course staff have been told): {message}"
    results = [TestResult(id=t.id, name=t.name, kind=t.kind, score=0.0, max_score=float(t.points),
                          status=GRADER_ERROR, output=text, visibility=t.visibility)
               for t in topic.tests]
    report = Report(submission=name, topic=topic.name, sha256=sub.sha256, seed=seed, sandbox=sandbox,
                    isolation="", execution_time=time.monotonic() - t0, tests=results,
                    notes=[text], late=dict(late or {}), info=dict(info or {}))
    write_report(report, out_dir)
    return report


def grade_one(*, topic: Topic, path: Path, out_dir: Path, seed: int, sandbox: Sandbox,
              ref: Observations, slot: int = 0, name: str | None = None,
              late: dict | None = None, info: dict | None = None) -> Report:
    """One submission on this host, against reference observations already taken (tests, the
    validate verb and the Gradescope export use it; ``grade`` goes through an executor)."""
    t0 = time.monotonic()
    sub, findings = _prepare(topic, path)
    obs = None
    if not sub.fatal:
        obs = observe(topic=topic, cells=[{"index": c.index, "source": c.source} for c in sub.cells],
                      seed=seed, sandbox=sandbox, slot=slot)
    gpu = getattr(sandbox, "gpu_name", None) or (host_gpu() if topic.limits.gpu else None)
    return _finish(topic=topic, sub=sub, findings=findings, ref=ref, obs=obs, seed=seed,
                   out_dir=out_dir, name=name or path.stem, sandbox=sandbox.name,
                   isolation=sandbox.describe(), gpu=gpu, t0=t0, late=late, info=info)


class _Where:
    """Name and isolation of where an executor grades, for reports written on the driver."""

    def __init__(self, name: str, isolation: str = ""):
        self.name, self._isolation = name, isolation

    def describe(self) -> str:
        return self._isolation


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
          course: str | Path | None = None, executor: str = "local",
          address: str | None = None) -> list[Report]:
    """Grade ``submissions`` (files, folders, or LMS zips) for ``topic`` into
    ``out/<topic>/students/<student>/`` (see :mod:`autograder.collect` for who a file belongs to).

    With ``gradebook`` (an SQLAlchemy URL or a SQLite path; the CLI's default is
    ``out/gradebook.sqlite``), every graded submission is committed to it as soon as it finishes,
    and submissions already there (same student, topic, content hash and grader version) are not
    graded again: their stored report is returned with ``cached=True`` (``force`` grades them
    again and replaces their rows). ``course``: the course config (late policy, due dates; see
    :mod:`autograder.course`).

    Each submission becomes a :class:`~autograder.job.GradingJob` run by ``executor`` ("local":
    ``jobs`` at a time on this host; "ray": one Ray task per job on the cluster at ``address``,
    concurrency from each node's resources, see docs/cluster.md). Verdicts, reports and the
    gradebook stay here, on the driver."""
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
                             assignment=assignment, executor=executor, address=address)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _grade_intake(*, t, intake, out, sandbox, seed, jobs, progress, gradebook, force,
                  assignment, executor="local", address=None) -> list[Report]:
    from autograder.collect import student_dir
    from autograder.course import lateness
    from autograder.executors import JobFailure, get_executor
    from autograder.job import build_job, topic_files
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

    def record(i, item, r: Report, out_dir: Path, late: dict, graded: bool = True):
        extra = _intake_notes(item)
        if extra and item.path is not None:  # rewritten with the note (rare: students with 2+ files)
            r.notes[:0] = extra
            write_report(r, out_dir)
        reports[i] = r
        if book is not None and graded:
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
        if progress:
            progress(item.student)

    try:
        if not todo:
            return [reports[i] for i in sorted(reports)]
        ex = get_executor(executor, jobs=jobs, sandbox=sandbox, address=address)
        try:
            box = getattr(ex, "box", None)
            where = _Where(box.name, box.describe()) if box is not None else _Where(ex.name)
            gpus = ex.gpus()
            cuda = any(x.requires == "cuda" for x in t.tests)
            # Where the executor knows it has no GPU at all, CUDA tests are not even sent: they
            # are reported not run, as on one machine without a GPU.
            tests = [x.id for x in t.tests if not (gpus is False and x.requires == "cuda")]
            files = topic_files(t)
            pending, batch = [], []
            for i, item in todo:
                t0 = time.monotonic()
                late = lateness(assignment=assignment, submitted_at=item.submitted_at,
                                lms_late=item.late, lms=item.lms)
                info = item.info()
                out_dir = student_dir(out, t.name, item.student)
                if item.path is None:
                    record(i, item, _error_report(topic=t, item=item, out_dir=out_dir, seed=seed,
                                                  sandbox=where, late=late, info=info), out_dir, late)
                    continue
                sub, findings = _prepare(t, item.path)
                if sub.fatal:
                    record(i, item, _finish(topic=t, sub=sub, findings=findings, ref=None, obs=None,
                                            seed=seed, out_dir=out_dir, name=item.student,
                                            sandbox=where.name, isolation=where.describe(),
                                            gpu=None, t0=t0, late=late, info=info), out_dir, late)
                    continue
                batch.append(build_job(
                    topic=t, student=item.student, sha256=sub.sha256, seed=seed, tests=tests,
                    cells=[{"index": c.index, "source": c.source} for c in sub.cells],
                    sandbox=sandbox, gpu=cuda and gpus is not False, grader_version=version,
                    files=files))
                pending.append((i, item, sub, findings, out_dir, late, info))
            for k, outcome in ex.run(batch):
                i, item, sub, findings, out_dir, late, info = pending[k]
                # The time this submission took: its job on the worker, then its verdicts here.
                t0 = time.monotonic() - max(0.0, getattr(outcome, "finished", 0.0)
                                            - getattr(outcome, "started", 0.0))
                if isinstance(outcome, JobFailure):
                    r = _grader_error_report(
                        topic=t, sub=sub, seed=seed, out_dir=out_dir, name=item.student,
                        sandbox=where.name, t0=t0, late=late, info=info,
                        message=f"the grading job failed {outcome.attempts} time(s): {outcome.message}")
                    record(i, item, r, out_dir, late, graded=False)  # not a grade: the next run retries
                    continue
                run = outcome.submission.run if outcome.submission is not None else outcome.reference.run
                record(i, item, _finish(topic=t, sub=sub, findings=findings, ref=outcome.reference,
                                        obs=outcome.submission, seed=seed, out_dir=out_dir,
                                        name=item.student, sandbox=run.sandbox,
                                        isolation=run.isolation, gpu=outcome.device, t0=t0,
                                        late=late, info=info), out_dir, late)
        finally:
            ex.close()
    finally:
        if book is not None:
            book.close()
    return [reports[i] for i in sorted(reports)]
