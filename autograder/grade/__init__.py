"""Grading: submissions in, reports out. The driver reads each submission, builds its grading job
(``autograder.job``) and hands it to an executor (``autograder.executors``: this host, or Ray), which
runs the reference (trusted) and the submission (sandboxed) on one worker and returns both sides'
observations; verdicts, reports and the gradebook are computed here, on the trusted side."""
from __future__ import annotations

import errno
import hashlib
import json
import time
from pathlib import Path
from typing import Callable

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.notebook.labels import describe_error, relabel
from autograder.probe import Observations, observe, reference_cells
from autograder.report import Report, write_atomic, write_report
from autograder.report.sanitize import clean_text
from autograder.sandbox import Sandbox
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
        write_atomic(out_dir / "output.txt", clean_text(obs.run.stderr))
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
                    notes=[text], late=dict(late or {}), info=dict(info or {}), fault="error")
    _try_write(report, out_dir)
    return report


class DiskFull(OSError):
    """Writing under --out failed for want of space: the batch stops with one line."""


class BatchStopped(Exception):
    """The batch stopped before every submission was graded (an interrupt, a full disk). What
    finished is written and recorded; ``reports`` holds it. Its message is one line."""

    def __init__(self, message: str, reports: list[Report], code: int = 1):
        super().__init__(message)
        self.reports = reports
        self.code = code


_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _disk_full(exc: BaseException) -> bool:
    """Is ``exc`` (or what it wraps: SQLAlchemy wraps sqlite3's "database or disk is full") a full
    disk or quota?"""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
            return True
        if "database or disk is full" in str(exc) or "No space left" in str(exc):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


class _Fault(Exception):
    """A stage of the grader failed for one submission (never the student's doing)."""

    def __init__(self, stage: str, kind: str, message: str, retry: bool):
        super().__init__(message)
        self.stage, self.kind, self.retry = stage, kind, retry


def _stage(stage: str, sandbox: Sandbox | None = None):
    """Context manager: any exception in ``stage`` becomes a :class:`_Fault` (a full disk and an
    interrupt pass through)."""
    import contextlib

    @contextlib.contextmanager
    def cm():
        try:
            yield
        except (_Fault, DiskFull, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - one submission's grader error, nothing more
            if _disk_full(exc):
                raise DiskFull(errno.ENOSPC, str(exc).splitlines()[0][:200] if str(exc) else "disk full") from exc
            outage = False
            try:
                outage = bool(getattr(sandbox, "is_outage", lambda e: isinstance(e, ConnectionError))(exc))
            except Exception:  # noqa: BLE001
                pass
            msg = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            # SystemError (a CPython fault under threads) and MemoryError may pass on a second try.
            raise _Fault(stage, "outage" if outage else "error", msg,
                         retry=not outage and isinstance(exc, (SystemError, MemoryError, OSError))) from exc

    return cm()


def _fault_report(*, topic: Topic, name: str, sha: str, seed: int, sandbox: Sandbox | None,
                  fault: _Fault, t0: float, late: dict | None = None,
                  info: dict | None = None) -> Report:
    """Every test a grader error with the reason: scores zero here, is never recorded, and the
    submission is graded again on the next run."""
    from autograder.verdict import GRADER_ERROR, TestResult

    why = {"outside": "the sandbox was stopped from outside (not by your code or its limits)",
           "outage": "the sandbox engine stopped answering",
           "busy": "another grading run is grading this submission"}.get(fault.kind, "the grader failed")
    text = (f"GRADER ERROR (not your fault; it will be graded again): {why} while {fault.stage}: "
            f"{fault}")
    tests = [TestResult(id=t.id, name=t.name, kind=t.kind, score=0.0, max_score=float(t.points),
                        status=GRADER_ERROR, output=text, visibility=t.visibility)
             for t in topic.tests]
    return Report(submission=name, topic=topic.name, sha256=sha, seed=seed,
                  sandbox=getattr(sandbox, "name", "none"),
                  isolation=_describe(sandbox), execution_time=time.monotonic() - t0, tests=tests,
                  notes=[text], late=dict(late or {}), info=dict(info or {}), fault=fault.kind)


def _describe(sandbox) -> str:
    try:
        return sandbox.describe() if sandbox is not None else ""
    except Exception:  # noqa: BLE001
        return ""


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        h.update(f"unreadable\0{exc.errno}".encode())
    return h.hexdigest()


def _try_write(report: Report, out_dir: Path) -> None:
    """Write a report; a full disk is raised, anything else is swallowed (the report stands)."""
    try:
        write_report(report, out_dir)
    except Exception as exc:  # noqa: BLE001
        if _disk_full(exc):
            raise DiskFull(errno.ENOSPC, "no space left writing the reports") from exc


def grade_one(*, topic: Topic, path: Path, out_dir: Path, seed: int, sandbox: Sandbox,
              ref: Observations, slot: int = 0, name: str | None = None,
              late: dict | None = None, info: dict | None = None) -> Report:
    """Grade one submission into ``out_dir``. Never raises for anything the submission did or
    for a fault of one stage: the report is then a grader error (``report.fault``), tried twice
    where a second try can help (a CPython SystemError, a sandbox killed from outside). Raises
    only :class:`DiskFull` (nothing can be written) and ``KeyboardInterrupt``."""
    t0 = time.monotonic()
    name = name or Path(path).stem
    report = None
    for attempt in (1, 2):
        try:
            report = _grade_stages(topic=topic, path=path, out_dir=out_dir, seed=seed,
                                   sandbox=sandbox, ref=ref, slot=slot, name=name, late=late,
                                   info=info, t0=t0)
            break
        except _Fault as fault:
            report = _fault_report(topic=topic, name=name, sha=_sha(path), seed=seed,
                                   sandbox=sandbox, fault=fault, t0=t0, late=late, info=info)
            if not fault.retry or attempt == 2:
                _try_write(report, out_dir)
                break
    return report


def _grade_stages(*, topic, path, out_dir, seed, sandbox, ref, slot, name, late, info, t0) -> Report:
    with _stage("reading the notebook"):
        sub, findings = _prepare(topic, path)
    obs = None
    if not sub.fatal:
        with _stage("running the probes", sandbox):
            obs = observe(topic=topic, cells=[{"index": c.index, "source": c.source} for c in sub.cells],
                          seed=seed, sandbox=sandbox, slot=slot, ref=ref)
        _check_outside(obs)
    gpu = getattr(sandbox, "gpu_name", None) or (host_gpu() if topic.limits.gpu else None)
    return _finish_safe(topic=topic, sub=sub, findings=findings, ref=ref, obs=obs, seed=seed,
                        out_dir=out_dir, name=name, sandbox=sandbox.name,
                        isolation=sandbox.describe(), gpu=gpu, t0=t0, late=late, info=info)


def _check_outside(obs) -> None:
    """A sandbox killed from outside (docker kill, the daemon, the host's OOM killer) is a fault."""
    if obs is not None and getattr(obs.run, "killed_by", None) == "outside":
        raise _Fault("running the probes", "outside", obs.run.killed_reason or "killed", retry=True)


def _finish_safe(**kw) -> Report:
    """:func:`_finish` as one stage: a crash in the verdicts or the report is a grader error."""
    try:
        with _stage("computing the verdicts and writing the report"):
            return _finish(**kw)
    except DiskFull:
        raise


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
    from autograder.course import load_course
    from autograder.errors import UserError
    from autograder.executors import get_executor

    if not isinstance(jobs, int) or jobs < 1:
        raise UserError(f"--jobs must be a whole number of at least 1, not {jobs!r}")
    t = get_topic(topic)
    out = Path(out)
    assignment = load_course(course).assignment(t)
    # The executor first: its sandboxes (containers, zygotes) start while the submissions are
    # read, hashed and looked up in the gradebook below.
    ex = get_executor(executor, jobs=jobs, sandbox=sandbox, address=address)
    try:
        ex.prepare(topic=t)
        return _collect_and_grade(t=t, ex=ex, submissions=submissions, out=out, sandbox=sandbox,
                                  seed=seed, jobs=jobs, progress=progress, gradebook=gradebook,
                                  naming=naming, force=force, assignment=assignment,
                                  executor=executor, address=address)
    finally:
        try:
            ex.close()
        except Exception:  # noqa: BLE001
            pass


def _collect_and_grade(*, t, ex, submissions, out, sandbox, seed, jobs, progress, gradebook, naming,
                       force, assignment, executor, address) -> list[Report]:
    import tempfile

    from autograder.collect import collect, topic_dir
    from autograder.errors import UserError

    try:
        topic_dir(out, t.name).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot create it ({exc.strerror})") from None
    from autograder.sandbox.cleanup import remove_tree

    try:
        workdir = Path(tempfile.mkdtemp(prefix=".intake-", dir=topic_dir(out, t.name)))
    except OSError as exc:
        if _disk_full(exc):
            raise BatchStopped(f"the disk at {out} is full ({exc.strerror}); nothing was graded", [])
        raise
    try:
        try:
            intake = collect(sources=submissions, workdir=workdir, pattern=naming)
        except OSError as exc:
            if _disk_full(exc):
                raise BatchStopped(f"the disk at {out} is full ({exc.strerror}); nothing was "
                                   f"graded", []) from None
            raise
        if not intake:
            raise UserError(f"no submissions found in {', '.join(map(str, submissions))} "
                            f"(looked for .ipynb and .py files, and in zips and student folders)")
        return _grade_intake(t=t, intake=intake, out=out, sandbox=sandbox, seed=seed, jobs=jobs,
                             progress=progress, gradebook=gradebook, force=force,
                             assignment=assignment, executor=executor, address=address, ex=ex)
    finally:
        remove_tree(workdir)


def _grade_intake(*, t, intake, out, sandbox, seed, jobs, progress, gradebook, force,
                  assignment, executor="local", address=None, ex=None) -> list[Report]:
    """Grade every intake item through the executor; see :func:`grade`.

    A batch never stops for one submission: reading, scanning, its job, its verdicts, its report
    and its gradebook row are each wrapped, and any failure is that submission's grader error
    (``Report.fault``: never recorded, so the next run grades it). A sandbox killed from outside
    is such a fault and its job is run once more at the end of the batch. With a gradebook, each
    submission is claimed before it is graded (two runs into one gradebook grade it once; the
    other waits for that grade). An interrupt (Ctrl-C, SIGTERM) or a full disk stops the batch:
    what finished is written and recorded, and :class:`BatchStopped` carries it."""
    import signal
    import threading

    from autograder.collect import student_dir
    from autograder.course import lateness
    from autograder.executors import JobFailure, get_executor
    from autograder.job import build_job, topic_files
    from autograder.gradebook import Gradebook, grader_version, run_owner
    from autograder.report import load_report
    from autograder.sandbox import cleanup

    # Never the public self-check's seed, whose expected values ship to students.
    seed = _fresh_seed() if seed is None else int(seed)
    book = Gradebook(gradebook) if gradebook else None
    version = grader_version(t)
    owner = run_owner()
    reports: dict[int, Report] = {}
    shas: dict[int, str] = {}
    claimed: set[int] = set()
    todo = []
    for i, item in enumerate(intake):
        shas[i] = _sha(item.path) if item.path is not None else hashlib.sha256(
            f"intake-error\0{item.student}\0{item.error}".encode()).hexdigest()
        if book is not None and not force:
            row = book.has(student=item.student, topic=t.name, sha256=shas[i], version=version)
            if row is not None:
                cached = load_report(Path(row.report_path))
                if cached is not None:
                    reports[i] = cached
                    if progress:
                        progress(item.student)
                    continue
                # the report folder is gone: grade again (the row stays; it is the same grade)
        todo.append((i, item))

    def key(i, item):
        return dict(student=item.student, topic=t.name, sha256=shas[i], version=version)

    def release(i, item):
        if book is not None and i in claimed:
            claimed.discard(i)
            try:
                book.release(**key(i, item), owner=owner)
            except Exception:  # noqa: BLE001 - a stale claim is taken over by the next run
                pass

    def fault(i, item, kind, why, stage="grading", late=None, info=None, t0=None):
        r = _fault_report(topic=t, name=item.student, sha=shas[i], seed=seed, sandbox=None,
                          fault=_Fault(stage, kind, why, retry=False),
                          t0=t0 if t0 is not None else time.monotonic(), late=late, info=info)
        try:
            _try_write(r, student_dir(out, t.name, item.student))
        except DiskFull:
            pass
        return r

    def record(i, item, r: Report, out_dir: Path, late: dict, graded: bool = True):
        extra = _intake_notes(item)
        if extra and item.path is not None and r.fault is None:  # students with 2+ files
            r.notes[:0] = extra
            write_report(r, out_dir)
        if book is not None and graded and r.fault is None:
            book.record(student=item.student, topic=t.name, sha256=shas[i], version=version,
                        score=r.score, max_score=r.max_score, seed=seed, sandbox=r.sandbox,
                        report_path=str((out_dir / "results.json").resolve()), force=force,
                        owner=owner, name=item.name or None, lms=item.lms, user_id=item.user_id,
                        submission_id=item.submission_id, submitted_at=item.submitted_at,
                        late=bool(late.get("late")), days_late=int(late.get("days", 0)),
                        penalty_percent=r.penalty_percent, raw_score=r.raw_score,
                        tests=json.dumps([{"id": x.id, "name": x.name, "score": x.score,
                                           "max_score": x.max_score, "status": x.status}
                                          for x in r.tests]))
            claimed.discard(i)
        reports[i] = r
        if progress:
            progress(item.student)

    def settle(i, item, make, out_dir, late, info, graded=True):
        """Make one submission's report and record it; any failure is its own grader error."""
        try:
            r = make()
            if not graded:
                r.fault = r.fault or "error"
            record(i, item, r, out_dir, late, graded)
        except (DiskFull, KeyboardInterrupt):
            raise
        except _Fault as f:
            reports[i] = fault(i, item, f.kind, str(f), f.stage, late, info)
        except Exception as exc:  # noqa: BLE001 - the gradebook, the intake data: this one only
            if _disk_full(exc):
                raise DiskFull(errno.ENOSPC, "no space left") from exc
            reports[i] = fault(i, item, "error", " ".join(f"{type(exc).__name__}: {exc}".split())[:300])
        finally:
            if i not in claimed or reports.get(i) is None or reports[i].fault is not None:
                release(i, item)

    # SIGTERM is handled like Ctrl-C: nothing new starts; what finished is kept.
    old_term = None
    if threading.current_thread() is threading.main_thread():
        def _term(signum, frame):
            raise KeyboardInterrupt
        try:
            old_term = signal.signal(signal.SIGTERM, _term)
        except (ValueError, OSError):
            old_term = None
    stopped: str | None = None
    own_ex = ex is None  # an executor passed in is closed by whoever made it
    try:
        if not todo:
            return [reports[i] for i in sorted(reports)]
        if ex is None:
            ex = get_executor(executor, jobs=jobs, sandbox=sandbox, address=address)
        box = getattr(ex, "box", None)
        # What a grader killed by SIGKILL left behind: its working folders and containers.
        cleanup.sweep_folders()
        if getattr(box, "client", None) is not None:
            cleanup.sweep_containers(box.client)
        where = _Where(box.name, box.describe()) if box is not None else _Where(ex.name)
        gpus = ex.gpus()
        cuda = any(x.requires == "cuda" for x in t.tests)
        # Where the executor knows it has no GPU at all, CUDA tests are not even sent: they
        # are reported not run, as on one machine without a GPU.
        tests = [x.id for x in t.tests if not (gpus is False and x.requires == "cuda")]
        files = topic_files(t)
        prepared: dict[int, tuple] = {}
        waiting = list(todo)  # not yet claimed by this run (another run may hold them)
        retried: set[int] = set()
        deadline = time.monotonic() + 2 * t.limits.wall_s + 120
        while waiting and not stopped:
            pending, batch, busy = [], [], []
            for i, item in waiting:
                t0 = time.monotonic()
                if book is not None and i not in claimed:
                    try:
                        state = book.claim(**key(i, item), owner=owner, force=force)
                    except Exception as exc:  # noqa: BLE001
                        if _disk_full(exc):
                            raise DiskFull(errno.ENOSPC, "no space left") from exc
                        reports[i] = fault(i, item, "error", f"gradebook: {type(exc).__name__}: {exc}"[:300])
                        continue
                    if state == "busy":
                        busy.append((i, item))
                        continue
                    if state == "done":
                        row = book.has(**key(i, item))
                        cached = load_report(Path(row.report_path)) if row else None
                        if cached is not None:
                            reports[i] = cached
                            if progress:
                                progress(item.student)
                            continue
                    claimed.add(i)
                out_dir = student_dir(out, t.name, item.student)
                late, info = {}, {}
                try:
                    with _stage("reading the LMS data"):
                        late = lateness(assignment=assignment, submitted_at=item.submitted_at,
                                        lms_late=item.late, lms=item.lms)
                        info = item.info()
                    if item.path is None:
                        settle(i, item, lambda: _error_report(
                            topic=t, item=item, out_dir=out_dir, seed=seed, sandbox=where,
                            late=late, info=info), out_dir, late, info)
                        continue
                    if i not in prepared:
                        with _stage("reading the notebook"):
                            prepared[i] = _prepare(t, item.path)
                    sub, findings = prepared[i]
                    if sub.fatal:
                        settle(i, item, lambda: _finish(
                            topic=t, sub=sub, findings=findings, ref=None, obs=None, seed=seed,
                            out_dir=out_dir, name=item.student, sandbox=where.name,
                            isolation=where.describe(), gpu=None, t0=t0, late=late, info=info),
                            out_dir, late, info)
                        continue
                    with _stage("building the grading job"):
                        batch.append(build_job(
                            topic=t, student=item.student, sha256=sub.sha256, seed=seed, tests=tests,
                            cells=[{"index": c.index, "source": c.source} for c in sub.cells],
                            sandbox=sandbox, gpu=cuda and gpus is not False, grader_version=version,
                            files=files))
                    pending.append((i, item, sub, findings, out_dir, late, info))
                except _Fault as f:
                    reports[i] = fault(i, item, f.kind, str(f), f.stage, late, info)
                    release(i, item)
            again = []
            try:
                for k, outcome in ex.run(batch):
                    i, item, sub, findings, out_dir, late, info = pending[k]
                    # The time this submission took: its job on the worker, then its verdicts here.
                    t0 = time.monotonic() - max(0.0, getattr(outcome, "finished", 0.0)
                                                - getattr(outcome, "started", 0.0))
                    if isinstance(outcome, JobFailure):
                        settle(i, item, lambda: _grader_error_report(
                            topic=t, sub=sub, seed=seed, out_dir=out_dir, name=item.student,
                            sandbox=where.name, t0=t0, late=late, info=info,
                            message=f"the grading job failed {outcome.attempts} time(s): "
                                    f"{outcome.message}"), out_dir, late, info, graded=False)
                        continue
                    run = outcome.submission.run if outcome.submission is not None else outcome.reference.run
                    if getattr(run, "killed_by", None) == "outside" and i not in retried:
                        retried.add(i)  # killed from outside: once more, at the end of the batch
                        again.append((i, item))
                        continue

                    def make(outcome=outcome, run=run, i=i, item=item, sub=sub, findings=findings,
                             out_dir=out_dir, late=late, info=info, t0=t0):
                        _check_outside(outcome.submission)
                        return _finish_safe(topic=t, sub=sub, findings=findings, ref=outcome.reference,
                                            obs=outcome.submission, seed=seed, out_dir=out_dir,
                                            name=item.student, sandbox=run.sandbox,
                                            isolation=run.isolation, gpu=outcome.device, t0=t0,
                                            late=late, info=info)
                    settle(i, item, make, out_dir, late, info)
            except KeyboardInterrupt:
                stopped = "interrupted"
            except DiskFull as exc:
                stopped = (f"the disk at {out} is full ({exc.strerror or exc}); free space and "
                           f"run again: what finished is kept")
            if stopped:
                break
            waiting = again + busy
            if busy and not again:
                if time.monotonic() > deadline:
                    for i, item in busy:
                        reports[i] = fault(i, item, "busy", "another grading run holds it")
                    break
                time.sleep(0.5)  # another run is grading these: wait for its grades
    except KeyboardInterrupt:
        stopped = "interrupted"
    except DiskFull as exc:
        stopped = (f"the disk at {out} is full ({exc.strerror or exc}); free space and run "
                   f"again: what finished is kept")
    finally:
        for i, item in todo:
            release(i, item)
        if ex is not None and own_ex:
            try:
                ex.close()
            except Exception:  # noqa: BLE001
                pass
        if old_term is not None:
            try:
                signal.signal(signal.SIGTERM, old_term)
            except (ValueError, OSError):
                pass
        if book is not None:
            book.close()
    done = [reports[i] for i in sorted(reports)]
    if stopped:
        n = len(todo) - sum(1 for i, _ in todo if i in reports)
        raise BatchStopped(f"{stopped}: {len(done)} submissions have a result, {n} were not "
                           f"graded (a re-run grades them)", done,
                           code=130 if stopped == "interrupted" else 1)
    return done


def _fresh_seed() -> int:
    from autograder.release.public import fresh_seed  # never the public self-check's seed

    return fresh_seed()
