"""In-sandbox harness: runs the code under test, then the topic's probes, and writes observations.

This file runs inside the untrusted process (for the submission) and inside a trusted process (for
the reference), so that both sides execute the probes the same way. It imports only the standard
library and NumPy at start-up, and writes nothing but plain data: JSON and `.npy` arrays.

Protocol (frames of ``autograder.runtime.frames`` both ways): the job arrives as the first frame on
stdin; observations go to files under ``out/`` in the working directory; progress markers go as frames
to a private duplicate of the original stdout, so that the trusted parent can follow the run. The code
under test writes to stderr whatever it prints; its fd 0 reads nothing.

Timed probes (``"timed": true`` in the job): the probe function is the untimed set-up and returns a
callable; the harness answers ``ready`` and then serves the parent's ``call`` frames, each carrying
inputs the parent drew from a stream the sandbox never sees, by calling it and sending the output
back. The parent measures each call from outside (the kernel's CPU and memory accounting of the whole
sandbox, its own clock) and checks every output against the reference's for the same inputs: nothing
measured here is trusted, and nothing here decides how many calls there are.

Cells: each cell runs under its own time limit (``cell_time_limit``); a cell that runs past it is
stopped (where Python regains control: a call stuck inside C code is stopped only by the run's wall
clock) and the next cells still run.
"""
from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import signal
import sys
import time
import traceback
import types
import warnings
import zlib

try:
    from autograder.runtime import frames
except ImportError:  # run as a script from the package folder
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from autograder.runtime import frames

OUT = "out"
MAX_TRACE = 4000
MAX_WARNINGS = 20


class ProbeTimeout(BaseException):
    """Raised inside a probe that ran past its own time limit (BaseException so broad excepts in the
    code under test do not swallow it by accident)."""


class CellTimeout(BaseException):
    """Raised inside a notebook cell that ran past its own time limit."""


class ProbeAborted(Exception):
    pass


class ForbiddenAPIError(RuntimeError):
    pass


def probe_rng(seed: int, name: str):
    import numpy as np

    # Per-probe stream: the run seed and the probe's name, so adding a probe leaves the others alone.
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _to_array(value):
    """Plain NumPy array from a NumPy or torch value; None if the value is not array-like."""
    import numpy as np

    mod = type(value).__module__
    if mod.startswith("torch"):
        t = value.detach().cpu()
        if str(t.dtype) in ("torch.bfloat16", "torch.float16"):
            t = t.float()
        return t.numpy()
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    return None


def _flatten(obs, prefix=""):
    if not isinstance(obs, dict):
        obs = {"value": obs}
    for key, value in obs.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, prefix=name + ".")
        else:
            yield name, value


def _plain_scalar(arr):
    """A 0-d real/bool array (a NumPy scalar, a 0-d tensor) as the Python number it stands for, so
    that ``np.float64(x)``, ``np.float32(x)`` and ``float(x)`` encode alike; None otherwise."""
    if arr.ndim != 0 or arr.dtype.kind not in "biuf":
        return None
    return arr.item()


def encode_observations(obs) -> tuple[dict, dict]:
    """Split a probe's return value into JSON scalars and arrays. Lists of numbers become arrays;
    NumPy scalars and 0-d arrays become Python numbers (a probe that must see the dtype of a scalar
    observes it explicitly, e.g. ``str(x.dtype)``)."""
    import numpy as np

    scalars, arrays = {}, {}
    for name, value in _flatten(obs):
        arr = _to_array(value)
        if arr is not None:
            if arr.dtype == object:
                raise TypeError(f"observation {name!r} is an object array; return numbers")
            plain = _plain_scalar(arr)
            if plain is not None:
                scalars[name] = plain
            else:
                # np.array(order="C"), not np.ascontiguousarray: the latter turns a 0-d array
                # into shape (1,).
                arrays[name] = np.array(arr, order="C")
        elif value is None or isinstance(value, (bool, int, float, str)):
            scalars[name] = value
        elif isinstance(value, (list, tuple)):
            try:
                arr = np.asarray(value)
            except Exception:
                arr = None
            if arr is not None and arr.dtype != object and arr.dtype.kind in "biufc":
                arrays[name] = arr
            else:
                scalars[name] = json.loads(json.dumps(value, default=str))
        else:
            raise TypeError(f"observation {name!r} has unsupported type {type(value).__name__}")
    return scalars, arrays


def _write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def _short_trace(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # Keep the frames from the code under test and the probe; the harness's own frames are noise.
    keep = [ln for ln in lines if "runtime/harness.py" not in ln]
    text = "".join(keep)
    return text[-MAX_TRACE:]


class _ForbiddenFinder(importlib.abc.MetaPathFinder):
    def __init__(self, modules, violations):
        self.modules = modules
        self.violations = violations

    def find_spec(self, fullname, path=None, target=None):
        for mod in self.modules:
            if fullname == mod or fullname.startswith(mod + "."):
                where = _cell_of_caller()
                self.violations.append({"api": fullname, "where": where, "how": "import"})
                raise ImportError(f"{fullname} is not allowed in this exercise")
        return None


def _cell_of_caller():
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith("<cell"):
            return name.strip("<>")
        frame = frame.f_back
    return None


def _twins(original, top: str) -> list:
    """Every (module, attribute) of the package ``top`` that is the very object ``original``: the
    aliases and C-level twins of a forbidden callable (``torch._C._nn.scaled_dot_product_attention``
    *is* ``torch.nn.functional.scaled_dot_product_attention``). Compared by identity, not name."""
    found = []
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == top or name.startswith(top + ".")):
            continue
        try:
            items = list(vars(mod).items())
        except TypeError:
            continue
        for attr, value in items:
            if value is original:
                found.append((mod, attr))
    return found


_GUARDS: list = []  # the wrappers put in place (compared by identity)


def _resolve_module(modname: str):
    """A module, or a namespace reached by attributes from one (``torch.ops.aten``)."""
    try:
        return importlib.import_module(modname)
    except Exception:  # noqa: BLE001 - not importable as such: walk attributes from the top
        parts = modname.split(".")
        obj = importlib.import_module(parts[0])
        for part in parts[1:]:
            obj = getattr(obj, part)
        return obj


def _aten_twin(modname: str, attr: str):
    """The dispatcher's own entry for a forbidden torch function: ``torch.ops.aten.<attr>`` calls
    the same kernel without going through any Python alias, so it is guarded too."""
    if modname.split(".")[0] != "torch" or modname == "torch.ops.aten":
        return None
    torch = sys.modules.get("torch")
    try:
        ns = torch.ops.aten
        getattr(ns, attr)  # raises when the dispatcher has no such operator
    except Exception:  # noqa: BLE001
        return None
    return ns


def _wrap_forbidden_function(dotted, violations, guard=None):
    modname, _, attr = dotted.rpartition(".")
    try:
        module = _resolve_module(modname)
        original = getattr(module, attr)
    except Exception:
        return
    if any(original is g for g in _GUARDS):
        return  # already guarded, as a twin of an earlier name (torch.ops.aten.<op>)

    def guarded(*args, **kwargs):
        # Only the probe itself may call it (the probes are trusted; what they call is not).
        # Anything else on the stack right above is the code under test or a library it called:
        # a forbidden use, whatever the frame's file name says (it can be rewritten).
        caller = sys._getframe(1).f_code.co_filename
        if caller != "<probes>":
            violations.append({"api": dotted, "where": _cell_of_caller() or "your code",
                               "how": "call"})
            raise ForbiddenAPIError(f"{dotted} is not allowed in this exercise")
        return original(*args, **kwargs)

    _GUARDS.append(guarded)
    places = [(module, attr)] + [p for p in _twins(original, modname.split(".")[0])
                                 if p != (module, attr)]
    aten = _aten_twin(modname, attr)
    if aten is not None and (aten, attr) not in places:
        places.append((aten, attr))
    for mod, name in places:
        try:
            setattr(mod, name, guarded)
        except (AttributeError, TypeError):
            continue
        if guard is not None:
            guard.wrapped.append((mod, name, guarded))


class _Guard:
    """What :func:`install_forbidden` put in place, and :meth:`problems`: the signs, seen from the
    harness after the code under test ran, that it was taken apart or walked around (the guard
    removed from ``sys.meta_path``, a wrapped function restored, a forbidden module imported
    anyway, a compiled part of a forbidden package loaded). The parent requires this report, with
    the run's integrity token, after every probe: a missing or forged one is a violation."""

    def __init__(self, modules):
        self.modules = list(modules)
        self.finder = None
        self.wrapped: list = []
        self.dirs: list[str] = []
        for m in self.modules:
            try:
                spec = importlib.util.find_spec(m)
            except (ImportError, ValueError, AttributeError):
                spec = None
            for d in (spec.submodule_search_locations or []) if spec is not None else []:
                self.dirs.append(os.path.realpath(d) + os.sep)
        self.mapped = self._mapped()

    def _mapped(self) -> set:
        try:
            with open("/proc/self/maps", "rb") as f:
                lines = f.read(16 << 20).decode("utf-8", "replace").splitlines()
        except OSError:
            return set()
        return {ln.split(None, 5)[5] for ln in lines if len(ln.split(None, 5)) == 6}

    def problems(self) -> list[str]:
        out = []
        if self.finder is not None and not any(f is self.finder for f in sys.meta_path):
            out.append("the import guard was removed from sys.meta_path")
        for mod, name, guarded in self.wrapped:
            if vars(mod).get(name) is not guarded:
                out.append(f"{getattr(mod, '__name__', '?')}.{name} was restored or replaced")
        for name in list(sys.modules):
            if any(name == m or name.startswith(m + ".") for m in self.modules):
                out.append(f"{name} was imported around the import guard")
                break
        if self.dirs:
            for path in self._mapped() - self.mapped:
                if any(path.startswith(d) for d in self.dirs):
                    out.append(f"a compiled part of a forbidden package was loaded ({path[-80:]})")
                    break
        return out[:20]


def install_forbidden(forbidden, violations):
    modules, functions = [], []
    for item in forbidden:
        # A name whose last part is lower-case after a module path is taken as a function.
        (functions if _is_function_name(item) else modules).append(item)
    guard = _Guard(modules)
    for dotted in functions:
        _wrap_forbidden_function(dotted, violations, guard)
    if modules:
        guard.finder = _ForbiddenFinder(modules, violations)
        sys.meta_path.insert(0, guard.finder)
        for name in list(sys.modules):
            if any(name == m or name.startswith(m + ".") for m in modules):
                # Already imported by the harness itself: hide it from the code under test.
                del sys.modules[name]
    return guard


def _is_function_name(dotted: str) -> bool:
    """A dotted name that is not a module (found without importing it: importing scipy.stats only
    to learn that it is a module would cost a second per run)."""
    if "." not in dotted:
        return False
    if dotted.startswith("torch.ops."):
        return True  # dispatcher operators (torch.ops.aten.<op>): attributes of a namespace object
    try:
        return importlib.util.find_spec(dotted) is None
    except (ImportError, ValueError, AttributeError):
        # Either the parent is not installed (block the name as a module), or the parent is a plain
        # module rather than a package (torch.nn.functional.scaled_dot_product_attention): then
        # the name is an attribute of it, i.e. a function to wrap.
        try:
            parent = importlib.util.find_spec(dotted.rpartition(".")[0])
        except (ImportError, ValueError, AttributeError):
            return False
        return parent is not None and parent.submodule_search_locations is None


def _cell_alarm(_signum, _frame):
    raise CellTimeout()


def run_cells(cells, module, time_limit=None):
    results = []
    for cell in cells:
        index, source = cell["index"], cell["source"]
        entry = {"index": index, "status": "ok"}
        try:
            code = compile(source, f"<cell {index}>", "exec")
            if time_limit:
                signal.signal(signal.SIGALRM, _cell_alarm)
                signal.setitimer(signal.ITIMER_REAL, max(float(time_limit), 0.001))
            try:
                exec(code, module.__dict__)
            finally:
                if time_limit:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:
            entry.update(status="error", kind="CellTimeout",
                         error=f"stopped after {float(time_limit):g} s (the time limit of one cell)")
        except SystemExit as exc:
            entry.update(status="error", error=f"SystemExit({exc.code!r}) raised in cell {index}",
                         kind="SystemExit")
        except BaseException as exc:  # noqa: BLE001 - every failure of student code is reported
            entry.update(status="error", kind=type(exc).__name__,
                         error=f"{type(exc).__name__}: {exc}"[:1000], traceback=_short_trace(exc))
        results.append(entry)
    return results


def _alarm(_signum, _frame):
    raise ProbeTimeout()


def run_probe(probe_fn, module, rng, args, time_limit, timed=None):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, max(time_limit, 0.001))
    try:
        result = probe_fn(module, rng, **args)
        if timed is None:
            return result
        if not callable(result):
            raise TypeError("grader error: a timed probe must return the callable to time")
        # What is left of the limit after the set-up runs only while a call runs: waiting for the
        # parent's next inputs (a fed probe's data, made by the grader) is not this code's time.
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        signal.setitimer(signal.ITIMER_REAL, 0)
        serve_timed(result, *timed, time_left=left if left > 0 else 0.001)
        return {"timed": True}  # the measurements and outputs are the parent's
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _warning_record(w) -> dict:
    """Plain data for one warning; ``where`` names the notebook cell that raised it, if any."""
    name = str(getattr(w, "filename", "") or "")
    where = name.strip("<>") if name.startswith("<cell") else None
    return {"category": getattr(w.category, "__name__", "Warning")[:100],
            "message": str(w.message)[:300], "where": where}


def run_probe_recording_warnings(probe_fn, module, rng, args, time_limit, sink: list, timed=None):
    """``run_probe`` with every warning raised meanwhile recorded (first MAX_WARNINGS) into
    ``sink``: a stub that promises a numerically stable function ("no warnings") is graded on
    them. NumPy's floating-point errors warn by default; a submission may silence them, which is
    its own choice."""
    def record(message, category, filename, lineno, file=None, line=None):
        # Bounded: a loop that warns a million times keeps MAX_WARNINGS of them.
        if len(sink) < MAX_WARNINGS:
            sink.append(_warning_record(warnings.WarningMessage(message, category, filename,
                                                                lineno)))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = record
        return run_probe(probe_fn, module, rng, args, time_limit, timed)


def output_arrays(value) -> dict:
    """A timed call's output as named arrays: one array, or a tuple/list/dict of them."""
    import numpy as np

    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, (tuple, list)):
        items = [(f"out{i}", v) for i, v in enumerate(value)]
    else:
        items = [("out", value)]
    out = {}
    for name, v in items[:frames.MAX_ARRAY_COUNT]:
        arr = _to_array(v)
        if arr is None:
            arr = np.asarray(v)
        if arr.dtype == object:
            raise TypeError(f"the timed call returned an object array for {name!r}")
        out[name] = arr
    return out


def serve_timed(call, ident, send, recv, time_left=None):
    """Answer the parent's timed calls until it says ``end``; ``time_left`` (seconds) is armed
    only while a call runs. The parent enforces the same limit from outside; this alarm only
    ends the call cleanly first."""
    send({"ev": "ready", "id": ident})
    while True:
        frame = recv()
        if frame is None:
            raise ProbeAborted("the grader closed the channel")
        head, arrays = frame
        if head.get("id") != ident:
            continue  # left over from an earlier test the grader gave up on
        op = head.get("op")
        if op == "end":
            return
        if op != "call":
            raise ProbeAborted(f"the grader stopped this test ({str(head.get('why', op))[:200]})")
        if time_left is not None:
            signal.setitimer(signal.ITIMER_REAL, max(time_left, 0.001))
        try:
            out = output_arrays(call(**arrays))
        finally:
            if time_left is not None:
                time_left = signal.getitimer(signal.ITIMER_REAL)[0] or 0.001
                signal.setitimer(signal.ITIMER_REAL, 0)
        send({"ev": "result", "id": ident, "n": head.get("n")}, out)


def main():
    # The job is the first frame on stdin; the rest of stdin is the parent's channel, kept on a
    # private fd. Markers go to a private copy of stdout; what the code under test prints, to stderr.
    chan_in = os.fdopen(os.dup(0), "rb", buffering=0)
    chan_out = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdin = io.StringIO("")
    sys.stdout = sys.stderr
    first = frames.read_frame(chan_in, max_header=1 << 30)
    if first is None:
        os._exit(3)
    job = first[0]

    def send(header, arrays=None):
        chan_out.write(frames.encode(header, arrays))

    def recv():
        return frames.read_frame(chan_in)

    def mark(event, ident=""):
        send({"ev": event, "id": ident})

    os.makedirs(OUT, exist_ok=True)
    import numpy as np  # noqa: F401 - imported before the code under test can patch anything

    probes_mod = types.ModuleType("probes")
    exec(compile(job.pop("probes_source"), "<probes>", "exec"), probes_mod.__dict__)

    violations: list = []
    integrity = job.pop("integrity", None)
    guard = install_forbidden(job.get("forbidden", []), violations)

    submission = types.ModuleType("submission")
    submission.__dict__["__builtins__"] = builtins
    sys.modules["submission"] = submission
    mark("cells-start")
    cells = run_cells(job["cells"], submission, job.get("cell_time_limit"))
    _write_json(os.path.join(OUT, "cells.json"), cells)
    mark("cells-end")

    for probe in job["probes"]:
        ident, name = probe["id"], probe["probe"]
        meta = {"id": ident, "probe": name, "status": "ok", "warnings": []}
        fn = getattr(probes_mod, name, None)
        start = time.perf_counter()
        mark("start", ident)
        try:
            if fn is None:
                raise LookupError(f"grader error: probe function {name!r} is not defined")
            obs = run_probe_recording_warnings(fn, submission, probe_rng(job["seed"], ident),
                                               probe.get("args", {}), probe.get("time_limit", 60),
                                               meta["warnings"],
                                               timed=(ident, send, recv) if probe.get("timed") else None)
            scalars, arrays = encode_observations(obs)
            meta["scalars"] = scalars
            meta["arrays"] = sorted(arrays)
            if arrays:
                np.savez(os.path.join(OUT, f"{ident}.npz"), **arrays)
        except ProbeAborted as exc:
            meta.update(status="error", kind="Aborted", error=str(exc)[:500])
        except ProbeTimeout:
            meta.update(status="error", kind="Timeout",
                        error=f"stopped after {probe.get('time_limit', 60)} s (the time limit)")
        except SystemExit as exc:
            meta.update(status="error", kind="SystemExit",
                        error=f"the code under test called exit ({exc.code!r})")
        except BaseException as exc:  # noqa: BLE001
            meta.update(status="error", kind=type(exc).__name__,
                        error=f"{type(exc).__name__}: {exc}"[:1000], traceback=_short_trace(exc))
        meta["seconds"] = time.perf_counter() - start
        mark("end", ident)
        meta["violations"] = list(violations)
        if integrity is not None:
            meta["integrity"] = {"token": integrity, "problems": guard.problems()}
        _write_json(os.path.join(OUT, f"{ident}.json"), meta)
    _write_json(os.path.join(OUT, "violations.json"), violations)
    mark("done")
    chan_out.close()
    # Skip interpreter teardown: objects left by the code under test cannot run code after this.
    os._exit(0)


if __name__ == "__main__":
    main()
