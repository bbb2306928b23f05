"""Sandboxes: where the harness runs. Every sandbox takes the same job and returns the same result.

A sandbox is given a host working directory (the harness writes ``out/`` there), the job (sent on
stdin) and the limits; it returns a :class:`RunResult`. The engine never imports Docker: the Docker
sandbox lives in its own module and is looked up by name.
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
    killed_reason: str | None = None  # "time limit", "memory limit", ...
    stderr: str = ""
    stderr_truncated: bool = False
    markers: list[tuple[str, str, float]] = field(default_factory=list)  # (event, id, seconds)
    device: str | None = None  # the GPU model where one was passed in

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


def new_token() -> str:
    return secrets.token_hex(16)


class MarkerReader:
    """Reads the harness's marker stream and timestamps each marker with the parent's clock."""

    def __init__(self, stream, token: str, t0: float):
        self.prefix = f"@@{token} "
        self.t0 = t0
        self.markers: list[tuple[str, str, float]] = []
        self._stream = stream
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for raw in iter(self._stream.readline, b""):
            now = time.monotonic() - self.t0
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith(self.prefix) and len(self.markers) < 10_000:
                parts = line[len(self.prefix):].split(" ", 1)
                self.markers.append((parts[0], parts[1] if len(parts) > 1 else "", now))

    def join(self, timeout=2.0):
        self._thread.join(timeout)


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
    return json.dumps(job).encode()


def get_sandbox(name: str = "auto", *, warn=print) -> Sandbox:
    """"process", "docker", or "auto" (Docker when a daemon answers and the image is built, else
    the process sandbox, with a warning)."""
    from autograder.sandbox.process import ProcessSandbox

    if name == "process":
        return ProcessSandbox()
    if name in ("docker", "auto"):
        try:
            from autograder.sandbox.docker import DockerSandbox  # adapter, optional

            return DockerSandbox.connect()
        except Exception as exc:  # noqa: BLE001 - any failure to reach Docker means "not here"
            if name == "docker":
                raise RuntimeError(f"the Docker sandbox is not available: {exc}") from exc
            warn(f"warning: Docker is not available ({str(exc)[:200]}); using the process sandbox")
            return ProcessSandbox()
    raise ValueError(f"unknown sandbox {name!r}: choose process, docker or auto")
