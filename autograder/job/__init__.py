"""The grading job and its result bundle: what crosses from the trusted driver to a worker and back.

A :class:`GradingJob` is self-contained: the topic's hidden files (as text, never a path on a shared
file system), the submission's cells, the seed, the limits and the tests to run. Any executor (a local
thread pool, a Ray task on another machine, a Gradescope container) runs it with :func:`run_job` and
returns one :class:`ResultBundle` holding both the reference's and the submission's observations,
produced on the same worker, close in time. Verdicts, reports and the gradebook are computed from
the bundle on the driver.

Both travel as plain data only: ``to_bytes()`` is UTF-8 JSON, arrays inside it are ``.npy`` bytes
(base64) read back with ``allow_pickle=False``. ``from_bytes`` checks size, schema and engine version
before anything else reads the document.

Contract (schema version 1):
    job    = {schema, engine, topic: {name, grader_version, files: {manifest.toml, reference.py,
              probes.py[, verdicts.py]}}, submission: {student, sha256, cells: [{index, source}]},
              seed, limits: {wall_s, cpu_s, memory_mb, pids, output_kb, tmpfs_mb, gpu[, disk_mb, cpus, cell_s]},
              tests: [test id], sandbox: auto|process|docker, gpu: bool (asks for a GPU)}
    bundle = {schema, engine, key: {student, topic, sha256, grader_version, seed}, worker: {...},
              device, reference: obs, submission: obs, reference_cached, started, finished}
    obs    = {run: RunResult fields, cells, violations, probes: {id: {status, error, kind,
              traceback, seconds, wall_trusted, scalars, arrays: {name: base64 .npy}}}}
"""
from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import __version__
from autograder.topics import Limits, Topic, load_topic

SCHEMA_VERSION = 1
HIDDEN_FILES = ("manifest.toml", "reference.py", "probes.py", "verdicts.py")
MAX_JOB_BYTES = 64 << 20  # notebooks are capped at 20 MB at intake; the hidden files are small
MAX_BUNDLE_BYTES = 768 << 20  # two sides of observation arrays (256 MB each, base64)
MAX_ARRAY_BYTES = 256 << 20


class JobError(ValueError):
    """A job or bundle that does not satisfy the contract (malformed, wrong schema or engine)."""


class VersionMismatch(JobError):
    """The worker's engine is not the driver's: grading there could differ, so it refuses."""


# --------------------------------------------------------------------------------------------- schema

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}

JOB_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "autograder grading job",
    "type": "object",
    "required": ["schema", "engine", "topic", "submission", "seed", "limits", "tests", "sandbox", "gpu"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_VERSION},
        "engine": _STR,
        "topic": {
            "type": "object", "required": ["name", "grader_version", "files"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,200}$"},
                "grader_version": _STR,
                "files": {
                    "type": "object", "required": ["manifest.toml", "reference.py", "probes.py"],
                    "additionalProperties": False,
                    "properties": {name: _STR for name in HIDDEN_FILES},
                },
            },
        },
        "submission": {
            "type": "object", "required": ["student", "sha256", "cells"], "additionalProperties": False,
            "properties": {
                "student": {"type": "string", "maxLength": 200},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "cells": {"type": "array", "maxItems": 10000, "items": {
                    "type": "object", "required": ["index", "source"], "additionalProperties": False,
                    "properties": {"index": _INT, "source": _STR}}},
            },
        },
        "seed": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "limits": {
            "type": "object",
            "required": ["wall_s", "cpu_s", "memory_mb", "pids", "output_kb", "tmpfs_mb", "gpu"],
            "additionalProperties": False,
            "properties": {"wall_s": _NUM, "cpu_s": _NUM, "memory_mb": _INT, "pids": _INT,
                           "output_kb": _INT, "tmpfs_mb": _INT, "gpu": {"type": "boolean"},
                           # optional (sandbox-wide limits): working-folder cap, CPU quota, per-cell time
                           "disk_mb": _INT, "cpus": _NUM, "cell_s": _NUM},
        },
        "tests": {"type": "array", "items": _STR, "maxItems": 1000},
        "sandbox": {"enum": ["auto", "process", "docker", "docker-warm"]},
        "gpu": {"type": "boolean"},
    },
}

_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float),
          "boolean": bool}


def _hand_check(value, schema: dict, where: str = "job") -> None:
    """The subset of JSON Schema that JOB_SCHEMA uses, for hosts without ``jsonschema``."""
    if "const" in schema and value != schema["const"]:
        raise JobError(f"{where}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise JobError(f"{where}: not one of {schema['enum']}")
    t = schema.get("type")
    if t:
        ok = isinstance(value, _TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool))
        if not ok:
            raise JobError(f"{where}: expected {t}")
    if t == "string":
        import re

        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise JobError(f"{where}: too long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise JobError(f"{where}: does not match {schema['pattern']}")
    if t == "integer":
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            raise JobError(f"{where}: out of range")
    if t == "object":
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                raise JobError(f"{where}: missing {key!r}")
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(props)
            if extra:
                raise JobError(f"{where}: unexpected {sorted(extra)[:3]}")
        for key, sub in props.items():
            if key in value:
                _hand_check(value[key], sub, f"{where}.{key}")
    if t == "array":
        if len(value) > schema.get("maxItems", len(value)):
            raise JobError(f"{where}: too many items")
        for k, item in enumerate(value):
            _hand_check(item, schema.get("items", {}), f"{where}[{k}]")


_validator = None


def validate_job(doc) -> None:
    """Raise :class:`JobError` unless ``doc`` satisfies :data:`JOB_SCHEMA` (jsonschema where installed)."""
    global _validator
    try:
        import jsonschema  # optional; lazily imported so start-up stays light
    except ImportError:
        _hand_check(doc, JOB_SCHEMA)
        return
    if _validator is None:
        _validator = jsonschema.Draft202012Validator(JOB_SCHEMA)
    err = jsonschema.exceptions.best_match(_validator.iter_errors(doc))
    if err is not None:
        path = "job" + "".join(f"[{p!r}]" for p in err.absolute_path)
        raise JobError(f"{path}: {err.message[:300]}")


# ----------------------------------------------------------------------------------------- the job

@dataclass
class GradingJob:
    topic: str
    grader_version: str
    files: dict[str, str]  # the hidden files, by name (HIDDEN_FILES)
    student: str
    sha256: str
    cells: list[dict]  # [{"index": int, "source": str}]
    seed: int
    limits: dict
    tests: list[str]
    sandbox: str = "auto"
    gpu: bool = False  # the job asks for a GPU (it has CUDA tests and the executor has GPUs)
    engine: str = __version__
    schema: int = SCHEMA_VERSION

    @property
    def key(self) -> dict:
        """The gradebook key (and the bundle's): one grade per student, topic, content, grader."""
        return {"student": self.student, "topic": self.topic, "sha256": self.sha256,
                "grader_version": self.grader_version, "seed": self.seed}

    def to_dict(self) -> dict:
        return {"schema": self.schema, "engine": self.engine,
                "topic": {"name": self.topic, "grader_version": self.grader_version,
                          "files": dict(self.files)},
                "submission": {"student": self.student, "sha256": self.sha256,
                               "cells": [{"index": int(c["index"]), "source": c["source"]}
                                         for c in self.cells]},
                "seed": self.seed, "limits": dict(self.limits), "tests": list(self.tests),
                "sandbox": self.sandbox, "gpu": self.gpu}

    @classmethod
    def from_dict(cls, doc) -> "GradingJob":
        validate_job(doc)
        t, s = doc["topic"], doc["submission"]
        return cls(topic=t["name"], grader_version=t["grader_version"], files=dict(t["files"]),
                   student=s["student"], sha256=s["sha256"], cells=list(s["cells"]),
                   seed=doc["seed"], limits=dict(doc["limits"]), tests=list(doc["tests"]),
                   sandbox=doc["sandbox"], gpu=doc["gpu"], engine=doc["engine"], schema=doc["schema"])

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "GradingJob":
        if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_JOB_BYTES:
            raise JobError("the job is not bytes or is too large")
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise JobError(f"the job is not JSON: {exc}") from exc
        return cls.from_dict(doc)


def build_job(*, topic, student: str, sha256: str, cells: list[dict], seed: int,
              tests: list[str] | None = None, sandbox: str = "auto", gpu: bool = False,
              grader_version: str | None = None, files: dict | None = None) -> GradingJob:
    """A job for ``topic`` (a :class:`~autograder.topics.Topic`). ``files`` and ``grader_version``
    may be passed in when one batch builds many jobs (read once, shared)."""
    if files is None:
        files = topic_files(topic)
    if grader_version is None:
        from autograder.gradebook import grader_version as gv

        grader_version = gv(topic)
    return GradingJob(topic=topic.name, grader_version=grader_version, files=files, student=student,
                      sha256=sha256, cells=cells, seed=int(seed),
                      limits=dataclasses.asdict(topic.limits),
                      tests=list(tests) if tests is not None else [t.id for t in topic.tests],
                      sandbox=sandbox, gpu=gpu)


def topic_files(topic) -> dict[str, str]:
    files = {}
    for name in HIDDEN_FILES:
        p = Path(topic.reference_dir) / name
        if p.is_file():
            files[name] = p.read_text()
    return files


def job_topic(job: GradingJob):
    """The :class:`~autograder.topics.Topic` a job describes, built from its files alone: the
    manifest is parsed in a private (0700) temporary folder that is removed at once, and the
    sources are served from memory, so no hidden file stays on the worker's disk."""
    tmp = Path(tempfile.mkdtemp(prefix="ag-topic-"))  # mode 0700: this worker's user only
    try:
        d = tmp / "reference" / job.topic
        d.mkdir(parents=True)
        (d / "manifest.toml").write_text(job.files["manifest.toml"])
        parsed = load_topic(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wanted = set(job.tests)
    fields = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(Topic)}
    fields.update(tests=tuple(t for t in parsed.tests if t.id in wanted), limits=Limits(**job.limits))
    return JobTopic(**fields, files=dict(job.files))


@dataclass(frozen=True)
class JobTopic(Topic):
    """A topic whose hidden files live in memory (from a job), not under ``reference/``."""
    files: dict = field(default_factory=dict, compare=False, hash=False)

    def source(self, name: str) -> str:
        if name not in self.files:
            raise FileNotFoundError(f"{name} is not part of this grading job")
        return self.files[name]


# --------------------------------------------------------------------------------- observations

def _npy(arr: np.ndarray) -> str:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return base64.b64encode(buf.getbuffer()).decode("ascii")


def _from_npy(text, budget: list[int]) -> np.ndarray:
    if not isinstance(text, str):
        raise JobError("an array is not base64 text")
    raw = base64.b64decode(text, validate=True)
    budget[0] -= len(raw)
    if budget[0] < 0:
        raise JobError("the observation arrays are too large")
    return np.load(io.BytesIO(raw), allow_pickle=False)


def obs_to_dict(obs) -> dict | None:
    if obs is None:
        return None
    from autograder.sandbox.driver import timed_to_dict

    run = dataclasses.asdict(dataclasses.replace(obs.run, timed={}))
    run["markers"] = [list(m) for m in obs.run.markers]
    # The parent's measurements of the timed probes (trusted; outputs as .npy).
    run["timed"] = {k: timed_to_dict(v, _npy) for k, v in obs.run.timed.items()}
    probes = {}
    for pid, p in obs.probes.items():
        # Every plain field of ProbeObs travels (one added later travels too: warnings were once
        # dropped here); arrays as .npy; the timed measurement by reference to run["timed"].
        d = {f.name: getattr(p, f.name) for f in dataclasses.fields(p)
             if f.name not in ("id", "arrays", "timed")}
        d["arrays"] = {k: _npy(v) for k, v in p.arrays.items()}
        d["timed"] = p.timed is not None
        probes[pid] = d
    return {"run": run, "cells": obs.cells, "violations": obs.violations, "probes": probes}


def obs_from_dict(doc, budget: list[int] | None = None):
    from autograder.probe import Observations, ProbeObs
    from autograder.sandbox import RunResult

    if doc is None:
        return None
    budget = budget if budget is not None else [MAX_ARRAY_BYTES]
    try:
        r = dict(doc["run"])
        known = {f.name for f in dataclasses.fields(RunResult)}
        r = {k: v for k, v in r.items() if k in known}
        r["markers"] = [(str(m[0]), str(m[1]), float(m[2])) for m in r.get("markers") or []]
        from autograder.sandbox.driver import timed_from_dict

        r["timed"] = {str(k): timed_from_dict(v, lambda t: _from_npy(t, budget))
                      for k, v in (r.get("timed") or {}).items()}
        run = RunResult(**r)
        probes = {}
        plain = {f.name for f in dataclasses.fields(ProbeObs)} - {"id", "arrays", "timed"}
        for pid, p in (doc.get("probes") or {}).items():
            kw = {k: v for k, v in p.items() if k in plain}
            if not isinstance(kw.get("scalars"), dict):
                kw["scalars"] = {}
            if "warnings" in kw and not isinstance(kw["warnings"], list):
                kw["warnings"] = []
            kw["status"] = str(p["status"])
            probes[str(pid)] = ProbeObs(
                id=str(pid), **kw,
                arrays={str(k): _from_npy(v, budget) for k, v in (p.get("arrays") or {}).items()},
                timed=run.timed.get(str(pid)) if p.get("timed") else None)
        cells = doc.get("cells")
        violations = doc.get("violations")
        return Observations(run=run, cells=cells if isinstance(cells, list) else None, probes=probes,
                            violations=violations if isinstance(violations, list) else [])
    except JobError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed bundle is a grader error, never a crash
        raise JobError(f"malformed observations: {type(exc).__name__}: {str(exc)[:200]}") from exc


# ------------------------------------------------------------------------------------ the bundle

@dataclass
class ResultBundle:
    key: dict  # GradingJob.key
    reference: object  # autograder.probe.Observations
    submission: object | None  # Observations, None where nothing ran
    device: str | None = None  # the GPU the worker passed in, None without one
    worker: dict = field(default_factory=dict)  # host, pid, node id: where it ran
    reference_cached: bool = False  # the reference's value observations came from this worker's cache
    started: float = 0.0  # wall-clock (epoch) seconds, on the worker
    finished: float = 0.0
    engine: str = __version__
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict:
        return {"schema": self.schema, "engine": self.engine, "key": dict(self.key),
                "worker": dict(self.worker), "device": self.device,
                "reference": obs_to_dict(self.reference), "submission": obs_to_dict(self.submission),
                "reference_cached": self.reference_cached, "started": self.started,
                "finished": self.finished}

    @classmethod
    def from_dict(cls, doc) -> "ResultBundle":
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_VERSION:
            raise JobError("the result bundle has an unknown schema")
        if doc.get("engine") != __version__:
            raise VersionMismatch(f"the bundle comes from engine {doc.get('engine')!r}, "
                                  f"the driver is {__version__}")
        if not isinstance(doc.get("key"), dict) or not isinstance(doc.get("reference"), dict):
            raise JobError("the result bundle lacks its key or the reference's observations")
        budget = [2 * MAX_ARRAY_BYTES]
        device = doc.get("device")
        return cls(key=doc["key"], reference=obs_from_dict(doc["reference"], budget),
                   submission=obs_from_dict(doc.get("submission"), budget),
                   device=device if isinstance(device, str) else None,
                   worker=doc.get("worker") if isinstance(doc.get("worker"), dict) else {},
                   reference_cached=bool(doc.get("reference_cached")),
                   started=float(doc.get("started") or 0.0), finished=float(doc.get("finished") or 0.0))

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ResultBundle":
        if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_BUNDLE_BYTES:
            raise JobError("the result bundle is not bytes or is too large")
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise JobError(f"the result bundle is not JSON: {exc}") from exc
        return cls.from_dict(doc)


# ------------------------------------------------------------------------------- on the worker

class ReferenceCache:
    """The reference's value observations, per worker process, keyed by (topic, seed, grader
    version): a batch runs the reference once per worker, not once per submission. Speed probes
    are never cached (their baseline is measured in each job, next to the submission's run)."""

    def __init__(self, size: int = 16):
        self.size = size
        self._data: dict[tuple, object] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, key: tuple, compute):
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # two threads of one worker wanting the same reference compute it once
            if key in self._data:
                return self._data[key], True
            value = compute()
            with self._lock:
                self.misses += 1
                self._data[key] = value
                while len(self._data) > self.size:
                    self._data.pop(next(iter(self._data)))
            return value, False

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


REFERENCE_CACHE = ReferenceCache()

_sandboxes: dict[str, object] = {}
_sandbox_lock = threading.Lock()


def worker_sandbox(name: str):
    """This worker's sandbox for ``name`` (auto: Docker when the node has it, else the process
    sandbox), created once per process."""
    from autograder.sandbox import get_sandbox

    with _sandbox_lock:
        if name not in _sandboxes:
            _sandboxes[name] = get_sandbox(name, warn=lambda msg: None)
        return _sandboxes[name]


def _gpu_name(sandbox) -> str | None:
    name = getattr(sandbox, "gpu_name", None)
    if name:
        return name
    from autograder.gpu import host_gpu

    return host_gpu()


def _is_speed(test) -> bool:
    # Timed probes (speed and memory): measured by the parent in this job, next to the submission.
    # A fed probe (a convergence test's secret data) times nothing: it goes with the values.
    timing = test.options.get("timing")
    return test.check in ("speed", "memory") or (isinstance(timing, dict) and not timing.get("feed"))


def run_job(job: GradingJob, *, sandbox=None, slot: int = 0, cache: ReferenceCache | None = None,
            worker: dict | None = None) -> ResultBundle:
    """Run ``job`` on this worker: the reference (its value observations from ``cache`` when this
    worker has run them for the same topic, seed and grader version) and the submission, each in
    its sandbox; return both sides' observations. Computes no verdict."""
    from autograder.probe import Observations, observe, reference_cells
    from autograder.sandbox.process import ProcessSandbox

    if job.engine != __version__:
        raise VersionMismatch(f"the job needs engine {job.engine}; this worker has {__version__}")
    started = time.time()
    cache = REFERENCE_CACHE if cache is None else cache
    box = sandbox if sandbox is not None else worker_sandbox(job.sandbox)
    topic = job_topic(job)
    device = _gpu_name(box) if any(t.requires == "cuda" for t in topic.tests) else None
    if device is None:
        # No GPU here: the CUDA tests run on neither side and the driver reports them not run.
        topic = dataclasses.replace(topic, tests=tuple(t for t in topic.tests if t.requires != "cuda"))
    values = dataclasses.replace(topic, tests=tuple(t for t in topic.tests if not _is_speed(t)))
    speed = dataclasses.replace(topic, tests=tuple(t for t in topic.tests if _is_speed(t)))
    trusted = ProcessSandbox(isolate=False)
    ref_cells = reference_cells(topic)
    key = (job.topic, job.seed, job.grader_version, tuple(t.id for t in values.tests), device)

    def reference():
        return cache.get(key, lambda: observe(topic=values, cells=ref_cells, seed=job.seed,
                                              sandbox=trusted))

    if speed.tests:
        ref, cached = reference()
        # The speed baseline: measured in this job, on this worker, with nothing else of this job
        # running beside it (the submission's timed probes get the same quiet machine).
        timed = observe(topic=speed, cells=ref_cells, seed=job.seed, sandbox=trusted)
        ref = Observations(run=ref.run, cells=ref.cells, probes={**ref.probes, **timed.probes},
                           violations=list(ref.violations))
        sub = observe(topic=topic, cells=job.cells, seed=job.seed, sandbox=box, slot=slot)
    else:
        # No timing in this job: the reference's values (when not cached yet) are computed beside
        # the submission's run instead of before it, so one submission costs max(ref, sub), not the sum.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference") as pool:
            pending = pool.submit(reference)
            sub = observe(topic=topic, cells=job.cells, seed=job.seed, sandbox=box, slot=slot)
            ref, cached = pending.result()
    info = {"host": socket.gethostname(), "pid": os.getpid(), **(worker or {})}
    return ResultBundle(key=job.key, reference=ref, submission=sub, device=device, worker=info,
                        reference_cached=cached, started=started, finished=time.time())
