"""Running a topic's probes against some code, in some sandbox, and reading back the observations.

Observations come back as plain data only: JSON (size-capped) and `.npz` archives of arrays loaded
with ``allow_pickle=False``. A probe whose files are missing or unreadable is an error of the side
that ran it: for the submission that scores zero, for the reference it is a grader crash.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.sandbox import RunResult, Sandbox
from autograder.topics import Topic

MAX_JSON = 2 << 20
MAX_ARRAYS = 256 << 20


@dataclass
class ProbeObs:
    id: str
    status: str  # "ok" or "error"
    error: str | None = None
    kind: str | None = None
    traceback: str | None = None
    scalars: dict = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float | None = None  # as the harness measured (untrusted on the submission side)
    wall_trusted: float | None = None  # from the parent's clock
    warnings: list[dict] = field(default_factory=list)  # raised during the probe (bounded)
    timed: object | None = None  # trusted: the parent's TimedResult for a timed probe

    @property
    def values(self) -> dict:
        return {**self.scalars, **self.arrays}


@dataclass
class Observations:
    run: RunResult
    cells: list[dict] | None  # None when the process died before the cells finished
    probes: dict[str, ProbeObs]
    violations: list[dict]


_PROCESS_KEY = secrets.token_bytes(32)


def input_secret(seed: int) -> int:
    """The seed of the timed probes' input stream: the run's seed keyed with a secret of this
    grading process (or $AUTOGRADER_INPUT_KEY, shared by the processes of one grading run). The
    sandbox gets the run's seed, never this; reference and submission of one run share it."""
    env = os.environ.get("AUTOGRADER_INPUT_KEY")
    key = hashlib.sha256(env.encode()).digest() if env else _PROCESS_KEY
    digest = hashlib.blake2b(str(int(seed)).encode(), key=key, digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def build_job(topic: Topic, cells: list[dict], seed: int) -> dict:
    probes = []
    for t in topic.tests:
        entry = {"id": t.id, "probe": t.probe, "args": t.args, "time_limit": t.time_limit}
        timing = t.options.get("timing")
        if isinstance(timing, dict):
            entry.update(timed=True, timing=timing)
        probes.append(entry)
    job = {
        "cells": cells,
        "probes_source": topic.source("probes.py"),
        "probes": probes,
        "seed": seed,
        "forbidden": list(topic.forbidden),
        "cell_time_limit": float(getattr(topic.limits, "cell_s", 0) or 0) or None,
    }
    if any(p.get("timed") for p in probes):
        job["trusted"] = {"input_secret": input_secret(seed)}  # stripped by every sandbox
    return job


def _read_json(path: Path):
    # Never follow a link the untrusted side planted: it could point at anything on the host.
    if path.is_symlink() or path.parent.is_symlink() or not path.is_file() or path.stat().st_size > MAX_JSON:
        return None
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        return None


def _read_arrays(path: Path, names: list) -> dict[str, np.ndarray] | str:
    if path.is_symlink() or not path.is_file():
        return {} if not names else "the observation arrays are missing"
    if path.stat().st_size > MAX_ARRAYS:
        return "the observation arrays are too large"
    try:
        with zipfile.ZipFile(path) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_ARRAYS:
                return "the observation arrays are too large"
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except Exception as exc:  # noqa: BLE001 - anything unreadable is simply not an observation
        return f"the observation arrays could not be read ({type(exc).__name__})"


def read_observations(workdir: Path, topic: Topic, run: RunResult) -> Observations:
    out = workdir / "out"
    cells = _read_json(out / "cells.json")
    if not isinstance(cells, list):
        cells = None
    violations = _read_json(out / "violations.json")
    violations = violations if isinstance(violations, list) else []
    walls = run.probe_wall()
    probes = {}
    for test in topic.tests:
        meta = _read_json(out / f"{test.id}.json")
        if not isinstance(meta, dict) or meta.get("status") not in ("ok", "error"):
            probes[test.id] = ProbeObs(id=test.id, status="missing")
            if isinstance(test.options.get("timing"), dict) and test.id in run.timed:
                _attach_timed(probes[test.id], run.timed[test.id])
            continue
        obs = ProbeObs(id=test.id, status=str(meta["status"]), error=_str(meta.get("error")),
                       kind=_str(meta.get("kind")), traceback=_str(meta.get("traceback")),
                       seconds=_num(meta.get("seconds")), wall_trusted=walls.get(test.id))
        obs.warnings = _warnings(meta.get("warnings"))
        if isinstance(test.options.get("timing"), dict):
            _attach_timed(obs, run.timed.get(test.id))
            probes[test.id] = obs
            continue
        if obs.status == "ok":
            scalars = meta.get("scalars")
            obs.scalars = scalars if isinstance(scalars, dict) else {}
            arrays = _read_arrays(out / f"{test.id}.npz", meta.get("arrays") or [])
            if isinstance(arrays, str):
                obs.status, obs.error = "error", arrays
            else:
                obs.arrays = arrays
        for v in meta.get("violations") or []:
            if isinstance(v, dict) and v not in violations:
                violations.append(v)
        probes[test.id] = obs
    return Observations(run=run, cells=cells, probes=probes, violations=violations)


def _warnings(raw) -> list[dict]:
    """The harness's warning records, as plain bounded strings (the submission may forge them;
    forging one only costs it points)."""
    if not isinstance(raw, list):
        return []
    return [{k: str(w.get(k))[:300] if w.get(k) is not None else None
             for k in ("category", "message", "where")} for w in raw[:20] if isinstance(w, dict)]


def _attach_timed(obs: ProbeObs, timed) -> None:
    """A timed probe's status is the parent's: the harness's file only supplies the student's error
    message (its traceback) when the parent's measurement failed too."""
    obs.timed = timed
    obs.scalars, obs.arrays = {}, {}
    if timed is None:
        if obs.status == "ok":
            obs.status, obs.error = "missing", None
        return
    if timed.error is None and timed.outputs:
        obs.status, obs.error, obs.kind, obs.traceback = "ok", None, None, None
        return
    if obs.status != "error":
        obs.status, obs.error, obs.kind = "error", timed.error or "no timed call finished", "Timed"


def _str(v):
    return v if isinstance(v, str) else None


def _num(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def observe(*, topic: Topic, cells: list[dict], seed: int, sandbox: Sandbox, slot: int = 0,
            keep: Path | None = None) -> Observations:
    """Run every probe of ``topic`` against ``cells`` in ``sandbox`` and read the observations."""
    workdir = Path(tempfile.mkdtemp(prefix="ag-"))
    try:
        workdir.chmod(0o755)
        run = sandbox.run(workdir=workdir, job=build_job(topic, cells, seed), limits=topic.limits,
                          slot=slot)
        obs = read_observations(workdir, topic, run)
        if keep is not None:
            shutil.copytree(workdir / "out", keep, dirs_exist_ok=True)
        return obs
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def reference_cells(topic: Topic) -> list[dict]:
    return [{"index": 1, "source": topic.source("reference.py")}]
