"""The public self-check: a graded test run in the student's own kernel, decided as the grader decides.

``autograder release`` ships, per question, an otter test file whose test cases call :func:`check`
with the notebook's namespace. :func:`check` runs the grader's own probe (``selfcheck/probes.py``,
public by design) on that namespace with ``probe_rng(PUBLIC_SEED, test id)``, encodes the result as
the harness does, and hands it with the reference's observations *for the public seed only*
(``selfcheck/expected/<id>.json`` and ``.npz``, read with ``allow_pickle=False``) and the static
forbidden-API scan of the cells run so far to :func:`autograder.verdict.judge`, the function that
grades. A failure raises ``AssertionError`` with the very message the report would show.

The grader never grades with ``PUBLIC_SEED`` unless asked to (:func:`fresh_seed`): the values shipped
here say nothing about the inputs of a real grading run.

This module runs in the student's kernel from the bundle's vendored copy of the package
(``selfcheck/autograder``): it imports only the standard library, NumPy and the parts of
``autograder`` that ``release`` copies with it.
"""
from __future__ import annotations

import json
import secrets
import traceback
import types
import warnings
from pathlib import Path

PUBLIC_SEED = 20_260_101  # the seed of the public self-check; never drawn for grading
MAX_WARNINGS = 20


def fresh_seed() -> int:
    """A grading seed: random, and never the public one (whose expected values ship to students)."""
    while True:
        seed = secrets.randbelow(2**31)
        if seed != PUBLIC_SEED:
            return seed


def _cells_from_env(env: dict) -> list[tuple[int, str]]:
    """The code the student ran, for the forbidden-API scan: IPython's input history (``In``), as
    the grader would read those cells (magics and otter lines removed)."""
    from autograder.notebook import strip_ipython

    history = env.get("In")
    cells = []
    if isinstance(history, list):
        for i, src in enumerate(history):
            if isinstance(src, str) and src.strip():
                py = strip_ipython(src)
                if py is not None:
                    cells.append((i, py))
    return cells


def _own_cell(filename: str) -> str | None:
    """The name of the notebook cell a warning came from, or None for library code. Cells are
    ``<cell N>`` in the grader's sandbox and ``.../ipykernel_<pid>/<hash>.py`` (or
    ``<ipython-input-...>``) in a Jupyter kernel."""
    name = str(filename or "")
    if name.startswith("<cell") or name.startswith("<ipython-input"):
        return name.strip("<>")
    parts = name.replace("\\", "/").split("/")
    if len(parts) >= 2 and parts[-2].startswith("ipykernel_"):
        return "a notebook cell"
    return None


def _run_probe(probe_fn, sub, rng, args):
    """Run one probe as the harness does (warnings recorded, the result encoded) and return a
    ``ProbeObs`` for the submission side."""
    from autograder.probe import ProbeObs
    from autograder.runtime.harness import encode_observations

    obs = ProbeObs(id="", status="ok")
    sink: list = []

    def record(message, category, filename, lineno, file=None, line=None):
        if len(sink) < MAX_WARNINGS:
            sink.append({"category": getattr(category, "__name__", "Warning")[:100],
                         "message": str(message)[:300], "where": _own_cell(filename)})

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = record
            result = probe_fn(sub, rng, **args)
        scalars, arrays = encode_observations(result)
        obs.scalars = json.loads(json.dumps(scalars))  # as the grader reads them back
        obs.arrays = arrays
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the student's error, reported as the grader does
        obs.status, obs.kind = "error", type(exc).__name__
        obs.error = f"{type(exc).__name__}: {exc}"[:1000]
        obs.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
    obs.warnings = sink
    return obs


def _expected(folder: Path, test_id: str):
    import numpy as np

    from autograder.probe import ProbeObs
    from autograder.topics import TestSpec

    meta = json.loads((folder / "expected" / f"{test_id}.json").read_text())
    arrays = {}
    npz = folder / "expected" / f"{test_id}.npz"
    if npz.is_file():
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    spec = TestSpec(**meta["test"])
    ref = ProbeObs(id=test_id, status="ok", scalars=meta["scalars"], arrays=arrays)
    return meta, spec, ref


_PROBES: dict[str, types.ModuleType] = {}


def _probe_module(folder: Path) -> types.ModuleType:
    key = str(folder)
    if key not in _PROBES:
        mod = types.ModuleType("probes")
        path = folder / "probes.py"
        exec(compile(path.read_text(), "<probes>", "exec"), mod.__dict__)
        _PROBES[key] = mod
    return _PROBES[key]


def run(env: dict, test_id: str, folder: str | Path):
    """The grader's ``TestResult`` for test ``test_id`` on the namespace ``env``, at the public seed."""
    from autograder.checks.forbidden import scan
    from autograder.probe import Observations
    from autograder.runtime.harness import probe_rng
    from autograder.topics import Limits, Topic
    from autograder.verdict import judge

    folder = Path(folder)
    meta, spec, ref = _expected(folder, test_id)
    findings = scan(_cells_from_env(env), tuple(meta["forbidden"]))
    sub = types.ModuleType("submission")
    sub.__dict__.update({k: v for k, v in env.items() if not k.startswith("__")})
    probe_fn = getattr(_probe_module(folder), spec.probe)
    sp = _run_probe(probe_fn, sub, probe_rng(PUBLIC_SEED, test_id), dict(spec.args))
    sp.id = test_id
    topic = Topic(name=meta["topic"], number=meta["topic"].split("_", 1)[0], title="",
                  kinds=(), limits=Limits(), forbidden=tuple(meta["forbidden"]), tests=(spec,),
                  root=folder / "no-reference")  # no verdicts.py: only public checks ship
    ref_obs = Observations(run=None, cells=[], probes={test_id: ref}, violations=[])
    sub_obs = Observations(run=None, cells=[], probes={test_id: sp}, violations=[])
    (result,) = judge(topic=topic, ref=ref_obs, sub=sub_obs, fatal=None, findings=findings,
                      seed=PUBLIC_SEED)
    return result


def check(env: dict, test_id: str, folder: str | Path) -> None:
    """Raise ``AssertionError`` with the report's message unless test ``test_id`` passes."""
    result = run(env, test_id, folder)
    if result.status != "passed":
        raise AssertionError(f"{result.name}: {result.output}")


def check_forbidden(env: dict, forbidden: list[str]) -> None:
    """The grader's static forbidden-API scan of the cells run so far: a violation scores zero."""
    from autograder.checks.forbidden import scan

    findings = scan(_cells_from_env(env), tuple(forbidden))
    bad = [f for f in findings if f.severity == "violation"]
    if bad:
        raise AssertionError("this exercise must be written from scratch (the whole notebook scores "
                             f"zero otherwise); {bad[0].describe()}"
                             + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""))
    review = [f for f in findings if f.severity != "violation"]
    if review:  # the grader holds these for course staff, scored zero until then
        raise AssertionError("the grader would hold this notebook for review by course staff "
                             f"(scored zero until then): {review[0].describe()}")
