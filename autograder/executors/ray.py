"""Ray executor (adapter; needs ``pip install ".[cluster]"``): one Ray task per grading job.

The driver (this process) keeps intake, verdicts, reports and the gradebook. Each job travels as its
JSON bytes (hidden files inside, no shared file system) to a task on some worker node, which checks
the job against its schema and its own engine version, runs the reference and the submission in that
node's sandbox (Docker where the node has it, else the process sandbox) and returns the result
bundle as bytes: plain data both ways, nothing unpickled from what the sandbox produced.

Scheduling is Ray's: each task asks for ``num_cpus`` (1) and the job's memory limit, so a node runs
as many jobs at once as its CPUs and memory allow; a job with CUDA tests asks for ``num_gpus=1``
(a GPU to itself, CUDA_VISIBLE_DEVICES set by Ray) when the cluster has a GPU at all, and otherwise
its CUDA tests are not sent and are reported not run. A task whose node dies, or whose worker
raised, runs again elsewhere (``max_retries``: 3 attempts in all); a job that fails 3 times is that
student's grader error and the batch goes on. A malformed job or a different engine version fails
once (it would fail the same way again).
"""
from __future__ import annotations

import fcntl
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import ray

from autograder.executors import MAX_ATTEMPTS, JobFailure
from autograder.job import GradingJob, JobError, ResultBundle

_SLOT = None  # (slot, lock file) held by this worker process for its lifetime


def node_slot(limit: int = 256) -> int:
    """A sandbox slot unique among this node's worker processes (each slot has its own uid in the
    process sandbox and its own pre-started container in Docker): the first free lock file."""
    global _SLOT
    if _SLOT is None:
        d = Path(tempfile.gettempdir()) / "autograder-slots"
        d.mkdir(mode=0o700, exist_ok=True)
        for k in range(limit):
            f = open(d / f"{k}.lock", "w")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                continue
            _SLOT = (k, f)  # released by the kernel when this process ends
            break
        else:
            raise RuntimeError(f"no free sandbox slot on this node (all {limit} are held)")
    return _SLOT[0]


def _grade_task(job_bytes: bytes) -> bytes:
    """The Ray task body, run on a worker node."""
    from autograder.job import run_job, worker_sandbox

    try:
        job = GradingJob.from_bytes(job_bytes)
    except JobError as exc:  # permanent: answered, not retried
        return json.dumps({"failure": f"{type(exc).__name__}: {exc}"}).encode()
    ctx = ray.get_runtime_context()
    worker = {"executor": "ray", "node_id": ctx.get_node_id(),
              "node_ip": ray.util.get_node_ip_address(),
              "gpu_ids": [str(g) for g in ray.get_gpu_ids()]}
    try:
        bundle = run_job(job, sandbox=worker_sandbox(job.sandbox), slot=node_slot(), worker=worker)
    except JobError as exc:  # a different engine version: retrying on this cluster cannot help
        return json.dumps({"failure": f"{type(exc).__name__}: {exc}"}).encode()
    return bundle.to_bytes()


class RayExecutor:
    name = "ray"

    def __init__(self, *, address: str | None = None, sandbox: str = "auto", num_cpus: float = 1.0,
                 max_retries: int = MAX_ATTEMPTS - 1, in_flight: int | None = None,
                 runtime_env: dict | None = None):
        self.sandbox = sandbox
        self.num_cpus = num_cpus
        self.max_retries = max_retries
        self._owns = False
        if not ray.is_initialized():
            # address: "HOST:PORT" (join as a driver on a cluster node), "ray://HOST:10001" (Ray
            # Client, from outside the cluster), "auto", or None: $RAY_ADDRESS, else a local cluster.
            address = address or os.environ.get("RAY_ADDRESS") or None
            extra = {} if address else {"include_dashboard": False}
            ray.init(address=address, log_to_driver=False, runtime_env=runtime_env,
                     logging_level="warning", **extra)
            self._owns = True
        self.resources = ray.cluster_resources()
        self.in_flight = in_flight or max(16, 4 * int(self.resources.get("CPU", 1)))
        self._task = ray.remote(_grade_task)

    def gpus(self) -> bool:
        return self.resources.get("GPU", 0) > 0

    def prepare(self, *, topic) -> None:
        """Nothing ahead: each node's worker starts its own sandbox with its first job."""

    def _largest_node_memory(self) -> float:
        mem = [n.get("Resources", {}).get("memory", 0) for n in ray.nodes() if n.get("Alive")]
        return max(mem or [0])

    def _options(self, job: GradingJob) -> dict:
        # A failed attempt (its node died, its worker crashed or raised) runs again elsewhere.
        opts = {"max_retries": self.max_retries, "retry_exceptions": True, "num_cpus": self.num_cpus}
        want = float(job.limits.get("memory_mb", 0)) * 2**20
        biggest = self._largest_node_memory()
        if want and biggest:
            # Ask for the job's memory limit, so a node runs only as many jobs as its memory holds;
            # never more than the largest node has, or the task could never be placed.
            opts["memory"] = int(min(want, biggest))
        if job.gpu:
            opts["num_gpus"] = 1  # a GPU to itself: Ray sets CUDA_VISIBLE_DEVICES for the task
        return opts

    def run(self, jobs: Sequence[GradingJob]) -> Iterator[tuple[int, ResultBundle | JobFailure]]:
        pending: dict = {}
        queue = list(enumerate(jobs))
        queue.reverse()
        try:
            while queue or pending:
                while queue and len(pending) < self.in_flight:
                    i, job = queue.pop()
                    ref = self._task.options(**self._options(job)).remote(job.to_bytes())
                    pending[ref] = i
                done, _ = ray.wait(list(pending), num_returns=1, timeout=60)
                for ref in done:
                    i = pending.pop(ref)
                    yield i, self._outcome(ref)
        finally:  # the consumer stopped (an interrupt): cancel what has not finished
            for ref in pending:
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001
                    pass

    def _outcome(self, ref) -> ResultBundle | JobFailure:
        try:
            data = ray.get(ref)
        except Exception as exc:  # noqa: BLE001 - the task failed on every attempt (or its node died)
            text = str(exc).strip().splitlines()
            return JobFailure(f"{type(exc).__name__}: {(text[-1] if text else '')[:500]}",
                              attempts=self.max_retries + 1)
        if isinstance(data, (bytes, bytearray)) and data[:12] == b'{"failure":':
            try:
                return JobFailure(str(json.loads(data)["failure"])[:500], attempts=1)
            except (ValueError, KeyError):
                return JobFailure("the worker's answer could not be read", attempts=1)
        try:
            return ResultBundle.from_bytes(data)
        except JobError as exc:
            return JobFailure(f"the result bundle was refused: {exc}", attempts=1)

    def close(self) -> None:
        if self._owns and ray.is_initialized():
            ray.shutdown()
