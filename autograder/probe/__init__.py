"""Running a topic's probes against some code, in some sandbox, and reading back the observations.

Observations come back as plain data only: JSON and `.npz` archives of plain numeric arrays. Every
read is bounded before anything is allocated (the submission writes these files and may forge
them): JSON by size, nesting depth, node count and string length; archives by member count, each
member's declared shape and dtype (read from its own small header, parsed without ``ast`` or
pickle) and the total bytes; links are never followed. A probe whose files are missing or
unreadable is an error of the side that ran it: for the submission that scores zero, for the
reference it is a grader crash.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.sandbox import RunResult, Sandbox
from autograder.sandbox.cleanup import remove_tree, workdir_prefix
from autograder.topics import Topic

MAX_JSON = 2 << 20  # bytes of one observation file
MAX_DEPTH = 32  # nesting of JSON containers (a probe's observations are a few levels deep)
MAX_NODES = 200_000  # values in one JSON file
MAX_STRING = 100_000  # characters of one JSON string
MAX_ARRAYS = 256 << 20  # bytes of one probe's arrays, all members together
MAX_MEMBERS = 1000  # arrays in one probe's archive
MAX_VIOLATIONS = 100  # run-time violation records kept
MAX_CELLS = 10_000
MAX_NPY_HEADER = 4096


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


def read_head(path: Path, limit: int) -> tuple[bytes, bool] | None:
    """(the first ``limit`` bytes of ``path``, whether there was more) if it is a regular file
    (not a link: ``O_NOFOLLOW``; not a FIFO that would block: ``O_NONBLOCK``), else None. Only
    ``limit + 1`` bytes are ever read, whatever the file's size says."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1) if limit >= 0 else b""
        return data[:limit], len(data) > limit or st.st_size > limit
    finally:
        os.close(fd)


def _open_plain(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else None."""
    head = read_head(path, limit)
    return head[0] if head is not None and not head[1] else None


def bounded(obj, *, depth: int = MAX_DEPTH, nodes: int = MAX_NODES, string: int = MAX_STRING) -> bool:
    """Is ``obj`` (parsed JSON) within the depth, node-count and string-length bounds? Iterative."""
    stack, seen = [(obj, 0)], 0
    while stack:
        v, d = stack.pop()
        seen += 1
        if seen > nodes or d > depth:
            return False
        if isinstance(v, dict):
            for k, x in v.items():
                if len(k) > string:
                    return False
                stack.append((x, d + 1))
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
        elif isinstance(v, str) and len(v) > string:
            return False
    return True


def _read_json(path: Path):
    # Never follow a link the untrusted side planted: it could point at anything on the host.
    if path.parent.is_symlink():
        return None
    data = _open_plain(path, MAX_JSON)
    if data is None:
        return None
    try:
        obj = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None
    return obj if bounded(obj) else None


# The .npy header is a Python dict literal; parse it with a strict pattern instead of numpy's
# ``ast.literal_eval``: ``ast`` is not safe to use from two threads at once on CPython 3.11
# (its recursion counter is shared: "SystemError: AST constructor recursion depth mismatch",
# seen in the forbidden-API scan and in np.load of observation arrays while grading with jobs).
_NPY_HEADER = re.compile(
    r"^\{\s*'descr':\s*'(?P<descr>[<>|=]?[biufc]\d{1,2})',\s*'fortran_order':\s*(?P<fortran>True|False),"
    r"\s*'shape':\s*\((?P<shape>[\d\s,]*)\),?\s*\}\s*$")


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> np.ndarray | str:
    """One plain numeric array from a member of the archive, or why not. Its size comes from its
    header and is checked against ``budget`` before anything is allocated."""
    with zf.open(info) as f:
        head = f.read(10)
        if len(head) < 10 or head[:6] != b"\x93NUMPY":
            return "not an .npy array"
        major = head[6]
        if major == 1:
            hlen = int.from_bytes(head[8:10], "little")
        elif major in (2, 3):
            hlen = int.from_bytes(head[8:10] + f.read(2), "little")
        else:
            return "unknown .npy version"
        if hlen > MAX_NPY_HEADER:
            return "array header too long"
        header = f.read(hlen).decode("latin1" if major < 3 else "utf-8", "replace")
        m = _NPY_HEADER.match(header.strip())
        if m is None:
            return "array header is not a plain numeric array"
        dims = [d for d in m.group("shape").replace(" ", "").split(",") if d]
        if len(dims) > 32:
            return "too many dimensions"
        shape = tuple(int(d) for d in dims)
        dtype = np.dtype(m.group("descr"))
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > budget:
            return "the observation arrays are too large"
        buf = bytearray(nbytes)
        view, got = memoryview(buf), 0
        while got < nbytes:
            n = f.readinto(view[got:])
            if not n:
                return "the array is shorter than its header says"
            got += n
        if f.read(1):
            return "the array is longer than its header says"
    order = "F" if m.group("fortran") == "True" else "C"
    return np.frombuffer(buf, dtype=dtype).reshape(shape, order=order)


def _read_arrays(path: Path, names: list, limit: int = MAX_ARRAYS) -> dict[str, np.ndarray] | str:
    names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    if path.parent.is_symlink() or path.is_symlink() or not path.is_file():
        return {} if not names else "the observation arrays are missing"
    try:
        if path.stat().st_size > limit + (MAX_MEMBERS << 10):
            return "the observation arrays are too large"
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as raw, zipfile.ZipFile(raw) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS or len(infos) > len(names) + 1:
                return f"the observation arrays have too many members ({len(infos)})"
            wanted = {f"{n}.npy" for n in names}
            out, budget = {}, limit
            for info in infos:
                if info.filename not in wanted:
                    continue
                arr = _read_npy(zf, info, budget)
                if isinstance(arr, str):
                    return f"the observation arrays could not be read ({arr})"
                budget -= arr.nbytes
                out[info.filename[:-4]] = arr
            return out
    except Exception as exc:  # noqa: BLE001 - anything unreadable is simply not an observation
        return f"the observation arrays could not be read ({type(exc).__name__})"


def array_budgets(ref: Observations | None) -> dict[str, int]:
    """Bytes of arrays each probe of the submission may return: four times the reference's, at
    least 1 MiB, at most ``MAX_ARRAYS``."""
    if ref is None:
        return {}
    return {pid: min(MAX_ARRAYS, max(1 << 20, 4 * sum(a.nbytes for a in p.arrays.values())))
            for pid, p in ref.probes.items()}


def _integrity(meta: dict, token: str) -> str | None:
    """What is wrong with a probe's guard report (see the harness's ``_Guard``), or None."""
    rep = meta.get("integrity")
    if not isinstance(rep, dict) or rep.get("token") != token:
        return "the forbidden-API guard's report is missing or forged"
    problems = rep.get("problems")
    if not isinstance(problems, list):
        return "the forbidden-API guard's report is malformed"
    if problems:
        return "the forbidden-API guard was taken apart or walked around: " + "; ".join(
            str(p)[:200] for p in problems[:3])
    return None


def read_observations(workdir: Path, topic: Topic, run: RunResult,
                      budgets: dict[str, int] | None = None,
                      integrity: str | None = None) -> Observations:
    """The observations the harness left in ``workdir/out``. ``integrity``: the token the job
    carried; every probe's file must then hold the guard's report with it (topics with forbidden
    APIs): a missing, forged or failing report is a run-time violation."""
    out = workdir / "out"
    if out.is_symlink():
        out = workdir / "nonexistent"
    cells = _read_json(out / "cells.json")
    if not isinstance(cells, list) or len(cells) > MAX_CELLS:
        cells = None
    violations = _read_json(out / "violations.json")
    violations = [v for v in violations if isinstance(v, dict)][:MAX_VIOLATIONS] \
        if isinstance(violations, list) else []
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
            arrays = _read_arrays(out / f"{test.id}.npz", meta.get("arrays") or [],
                                  (budgets or {}).get(test.id, MAX_ARRAYS))
            if isinstance(arrays, str):
                obs.status, obs.error = "error", arrays
            else:
                obs.arrays = arrays
        if integrity is not None and topic.forbidden:
            bad = _integrity(meta, integrity)
            v = {"api": "the run-time guard", "where": None, "how": bad}
            if bad and len(violations) < MAX_VIOLATIONS and v not in violations:
                violations.append(v)
        extra = meta.get("violations")
        for v in (extra if isinstance(extra, list) else [])[:MAX_VIOLATIONS]:
            if isinstance(v, dict) and len(violations) < MAX_VIOLATIONS and v not in violations:
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
            keep: Path | None = None, ref: Observations | None = None) -> Observations:
    """Run every probe of ``topic`` against ``cells`` in ``sandbox`` and read the observations.
    With ``ref`` (the reference's observations), a probe's arrays may be at most a few times the
    size of the reference's: what the grader holds per submission stays near what the topic needs."""
    workdir = Path(tempfile.mkdtemp(prefix=workdir_prefix()))
    try:
        workdir.chmod(0o755)
        integrity = secrets.token_hex(16)
        run = sandbox.run(workdir=workdir, job={**build_job(topic, cells, seed), "integrity": integrity},
                          limits=topic.limits, slot=slot)
        obs = read_observations(workdir, topic, run, budgets=array_budgets(ref), integrity=integrity)
        if keep is not None:
            shutil.copytree(workdir / "out", keep, dirs_exist_ok=True, symlinks=True)
        return obs
    finally:
        remove_tree(workdir)  # whatever the submission left there (never raises)


def reference_cells(topic: Topic) -> list[dict]:
    return [{"index": 1, "source": topic.source("reference.py")}]
