"""Executors: where grading jobs run. Every executor takes the same jobs and yields the same result
bundles; the driver (``autograder.grade``) computes verdicts, reports and the gradebook from them.

Contract::

    ex = get_executor("local", jobs=2, sandbox="process")    # or "ray", address="host:6379"
    ex.prepare(topic=topic)                                  # optional head start; never raises
    for index, outcome in ex.run(jobs):                      # in completion order
        outcome: ResultBundle | JobFailure                   # never raises for one job's fault
    ex.close()

``gpus`` says whether a job asking for a GPU can be placed at all (``None``: unknown, decided on
the worker). Executors other than the local one are adapters, imported by name from
:data:`EXECUTORS` so the engine never imports Ray (or Docker).
"""
from __future__ import annotations

import importlib
import queue
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from autograder.job import GradingJob, ResultBundle, run_job

EXECUTORS = {
    "local": "autograder.executors:LocalExecutor",
    "ray": "autograder.executors.ray:RayExecutor",
}
MAX_ATTEMPTS = 3  # a job that fails this often is the student's grader error; the batch goes on


@dataclass
class JobFailure:
    """A job the executor could not run (the grader's fault, never the student's)."""
    message: str
    attempts: int = 1


class Executor(Protocol):
    name: str

    def gpus(self) -> bool | None: ...

    def prepare(self, *, topic) -> None: ...

    def run(self, jobs: Sequence[GradingJob]) -> Iterator[tuple[int, ResultBundle | JobFailure]]: ...

    def close(self) -> None: ...


def get_executor(name: str = "local", **options) -> Executor:
    """The executor registered as ``name``, constructed with ``options`` (those it does not take
    are ignored, so one call site serves all executors)."""
    import inspect

    if name not in EXECUTORS:
        raise ValueError(f"unknown executor {name!r}: choose {', '.join(sorted(EXECUTORS))}")
    modname, _, clsname = EXECUTORS[name].partition(":")
    try:
        cls = getattr(importlib.import_module(modname), clsname)
    except ImportError as exc:
        from autograder.errors import UserError

        raise UserError(f"the {name} executor is not installed here ({exc}); "
                        f"install it with: pip install '.[cluster]'") from None
    params = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in options.items() if k in params and v is not None})


class LocalExecutor:
    """Jobs on this host, ``jobs`` at a time, each in this host's sandbox (Docker or process), with
    one slot per thread (the sandbox's per-slot uid and pre-started container)."""
    name = "local"

    def __init__(self, *, jobs: int = 1, sandbox: str = "auto", box=None):
        from autograder.sandbox import get_sandbox

        self.jobs = max(1, int(jobs))
        self.box = box if box is not None else get_sandbox(sandbox)

    def gpus(self) -> bool | None:
        return None  # the worker (this host) decides, per job

    def prepare(self, *, topic) -> None:
        """Start each slot's sandbox (container, zygote importing what the topic imports) now, in
        the background: the grader reads and hashes the submissions meanwhile."""
        warm_up = getattr(self.box, "warm_up", None)  # a sandbox without a head start has none
        if not callable(warm_up):
            return
        try:
            from autograder.sandbox.forkserver import preload_for_sources

            sources = []
            for name in ("probes.py", "reference.py"):
                try:
                    sources.append(topic.source(name))
                except OSError:
                    pass
            warm_up(limits=topic.limits, slots=self.jobs, modules=preload_for_sources(*sources))
        except Exception:  # noqa: BLE001 - a head start only; the first run starts its own
            pass

    def run(self, jobs: Sequence[GradingJob]) -> Iterator[tuple[int, ResultBundle | JobFailure]]:
        slots: queue.Queue[int] = queue.Queue()
        for k in range(self.jobs):
            slots.put(k)

        def one(job: GradingJob):
            slot = slots.get()
            try:
                for attempt in range(1, MAX_ATTEMPTS + 1):
                    try:
                        return run_job(job, sandbox=self.box, slot=slot,
                                       worker={"executor": "local", "slot": slot})
                    except Exception as exc:  # noqa: BLE001 - one job's failure stays that job's
                        last = f"{type(exc).__name__}: {str(exc)[:500]}"
                        if getattr(exc, "retry", True) is False or _permanent(exc):
                            return JobFailure(last, attempt)
                return JobFailure(last, MAX_ATTEMPTS)
            finally:
                slots.put(slot)

        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="grade") as pool:
            futures = {pool.submit(one, job): i for i, job in enumerate(jobs)}
            try:
                for fut in as_completed(futures):
                    yield futures[fut], fut.result()
            finally:  # the consumer stopped early (an interrupt): start nothing more
                for fut in futures:
                    fut.cancel()

    def close(self) -> None:
        close = getattr(self.box, "close", None)
        if callable(close):
            close()


def _permanent(exc: BaseException) -> bool:
    from autograder.job import JobError

    return isinstance(exc, JobError)  # a malformed job or another engine fails the same way again
