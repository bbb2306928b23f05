"""Sandboxes: where the harness runs. Every sandbox takes the same job and returns the same result.

A sandbox is given a host working directory (the harness writes ``out/`` there), the job (sent on
stdin as the first frame, see ``autograder.runtime.frames``) and the limits; it returns a
:class:`RunResult`. The engine never imports Docker: the Docker sandbox lives in its own module and is
looked up by name.

``job["trusted"]`` never crosses the boundary: it holds what only the parent may know
(``input_secret``, the seed of the timed probes' inputs; see ``autograder.sandbox.driver``). Every
sandbox strips it before sending the job and drives the timed probes over the same channel, so a
wrapper (an executor, a job bundle) only has to pass the job through whole.

Trusted measurements in the result (``timed``, ``cpu_s``, ``meter``) come from the parent's clock
and the kernel's accounting of the whole sandbox (a per-sandbox cgroup, or the container's), never
from the process under test.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from autograder.topics import Limits

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../autograder
HARNESS = "autograder/runtime/harness.py"


@dataclass
class RunResult:
    sandbox: str
    isolation: str  # what kept the hidden material out of reach, in words
    returncode: int | None
    wall_s: float
    timed_out: bool = False
    killed_reason: str | None = None  # "time limit (..)", "memory limit (..)", "pids limit", "disk limit", ...
    # Who stopped it: "limit" (a limit of this sandbox, named in killed_reason), "outside" (a
    # signal nobody in the grader sent: the host, an operator), or None (it ended by itself).
    killed_by: str | None = None
    stderr: str = ""
    stderr_truncated: bool = False
    markers: list[tuple[str, str, float]] = field(default_factory=list)  # (event, id, seconds)
    device: str | None = None  # the GPU model where one was passed in
    # Trusted: per timed probe, what the parent measured (autograder.sandbox.driver.TimedResult).
    timed: dict = field(default_factory=dict)
    protocol_errors: list[str] = field(default_factory=list)
    meter: str = ""  # how CPU time and memory of the whole sandbox were read
    cpu_s: float | None = None  # CPU time of the whole sandbox, all threads and children
    limits_enforced: list[str] = field(default_factory=list)  # sandbox-wide: memory, pids, CPU, disk

    def probe_wall(self) -> dict[str, float]:
        """Trusted wall time of each probe, from the parent's own clock."""
        starts, out = {}, {}
        for event, ident, t in self.markers:
            if event == "start":
                starts[ident] = t
            elif event == "end" and ident in starts:
                out[ident] = t - starts.pop(ident)
        return out


class Sandbox(Protocol):
    name: str

    def run(self, *, workdir: Path, job: dict, limits: Limits, slot: int = 0) -> RunResult: ...

    def describe(self) -> str: ...

    # Optional: start what the first ``slots`` runs will need (containers, zygotes that import
    # ``modules`` ahead) in the background, so it overlaps the grader's own start-up. Never
    # raises; runs work without it.
    def warm_up(self, *, limits: Limits, slots: int, modules: tuple[str, ...] | None = None) -> None: ...


def new_token() -> str:
    return secrets.token_hex(8)


def split_job(job: dict) -> tuple[dict, dict]:
    """(what the sandbox receives, what stays with the parent)."""
    public = {k: v for k, v in job.items() if k != "trusted"}
    return public, dict(job.get("trusted") or {})


def timed_plans(job: dict) -> dict:
    from autograder.sandbox.driver import TimedPlan

    return {p["id"]: TimedPlan.from_dict(p["id"], p.get("timing") or {}, float(p.get("time_limit", 60)))
            for p in job.get("probes", []) if p.get("timed")}


def open_channel(job: dict, *, send, meter, t0: float):
    """The parent's end of the channel for ``job`` (see ``autograder.sandbox.driver``)."""
    from autograder.sandbox.driver import Channel

    public, trusted = split_job(job)
    ch = Channel(send=send, meter=meter, plans=timed_plans(public),
                 secret=trusted.get("input_secret"), probe_order=[p["id"] for p in public.get("probes", [])],
                 t0=t0, probes_source=public.get("probes_source"))
    return ch, public


class CappedReader:
    """Reads a stream to the end, keeping at most ``cap`` bytes (the rest is counted, not kept)."""

    def __init__(self, stream, cap: int):
        self.cap = cap
        self.buf = bytearray()
        self.dropped = 0
        self._stream = stream
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while True:
            chunk = self._stream.read(65536)
            if not chunk:
                break
            room = self.cap - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> tuple[str, bool]:
        self._thread.join(2.0)
        return self.buf.decode("utf-8", "replace"), self.dropped > 0


def job_bytes(job: dict) -> bytes:
    from autograder.runtime import frames

    return frames.encode(split_job(job)[0])


def get_sandbox(name: str = "auto", *, warn=print) -> Sandbox:
    """"process", "docker", "docker-warm" (Docker with a zygote per slot: see
    ``autograder.sandbox.docker``), or "auto" (Docker when a daemon answers and the image is built,
    else the process sandbox, with a warning)."""
    from autograder.sandbox.process import ProcessSandbox

    if name == "process":
        return ProcessSandbox()
    if name in ("docker", "docker-warm", "auto"):
        try:
            from autograder.sandbox.docker import DockerSandbox  # adapter, optional

            return DockerSandbox.connect(warm=True if name == "docker-warm" else None)
        except Exception as exc:  # noqa: BLE001 - any failure to reach Docker means "not here"
            if name in ("docker", "docker-warm"):
                raise RuntimeError(f"the Docker sandbox is not available: {exc}") from exc
            warn(f"warning: Docker is not available ({str(exc)[:200]}); using the process sandbox")
            return ProcessSandbox()
    raise ValueError(f"unknown sandbox {name!r}: choose process, docker, docker-warm or auto")
