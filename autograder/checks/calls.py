"""Calling the code under test from a probe (sandbox side, NumPy only): every array argument is
handed over as a fresh copy, and after the call the copies are compared with the originals, so a
probe observes whether a function changed its inputs. A stub that promises "inputs unchanged"
is graded on ``unchanged.<name>``; one that asks for an in-place update observes the change
itself (see ``changed``).

    calls = Calls()
    y = calls("softmax", sub.softmax, z, axis=0)
    return {"y": y, **calls.observations()}   # adds unchanged.softmax: True/False
"""
from __future__ import annotations

import functools
import types

import numpy as np


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def fresh(x):
    """A deep copy of arrays (NumPy or torch) inside plain containers; anything else as is."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if _is_tensor(x):
        return x.detach().clone()
    if isinstance(x, (list, tuple)):
        return type(x)(fresh(v) for v in x)
    if isinstance(x, dict):
        return {k: fresh(v) for k, v in x.items()}
    return x


def same(a, b) -> bool:
    """Bitwise-equal arrays (NaN equal to NaN) inside the same container structure."""
    try:
        if isinstance(a, np.ndarray) or _is_tensor(a):
            a2 = np.asarray(a.detach().cpu().numpy() if _is_tensor(a) else a)
            b2 = np.asarray(b.detach().cpu().numpy() if _is_tensor(b) else b)
            if a2.shape != b2.shape:
                return False
            return bool(np.array_equal(a2, b2, equal_nan=a2.dtype.kind in "fc"))
        if isinstance(a, (list, tuple)):
            return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(same, a, b))
        if isinstance(a, dict):
            return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    except Exception:  # noqa: BLE001 - a container the student replaced with something odd
        return False
    return True


class Calls:
    """Calls functions on copies of their arguments and remembers, per name, whether every call
    left its arguments as they were."""

    def __init__(self):
        self.unchanged: dict[str, bool] = {}

    def __call__(self, name: str, fn, *args, **kwargs):
        pristine = [fresh(a) for a in args], {k: fresh(v) for k, v in kwargs.items()}
        given = [fresh(a) for a in args], {k: fresh(v) for k, v in kwargs.items()}
        out = fn(*given[0], **given[1])
        ok = same(pristine[0], given[0]) and same(pristine[1], given[1])
        self.unchanged[name] = self.unchanged.get(name, True) and ok
        return out

    def observations(self) -> dict:
        return {f"unchanged.{k}": v for k, v in sorted(self.unchanged.items())}


def changed(before, after) -> bool:
    """For a stub that asks for an in-place update: did the array actually change?"""
    return not same(before, after)


class Watched:
    """Stands in for the submission module inside a probe: every plain function fetched from it
    is called through ``Calls`` (fresh copies in, inputs compared after). Classes and the names
    in ``in_place`` (functions the stub asks to update their arguments) pass through untouched."""

    def __init__(self, sub, in_place=()):
        self._sub = sub
        self._in_place = frozenset(in_place)
        self.calls = Calls()

    def __getattr__(self, name):
        value = getattr(self._sub, name)
        if isinstance(value, types.FunctionType) and name not in self._in_place:
            return functools.partial(self.calls, name, value)
        return value


def watch_inputs(probe=None, *, in_place=()):
    """Probe decorator: the probe receives a ``Watched`` submission, and its observations gain
    ``unchanged.<function>`` for every function it called (see the module docstring)."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(sub, rng, **kwargs):
            watched = Watched(sub, in_place)
            obs = fn(watched, rng, **kwargs)
            if not isinstance(obs, dict):
                obs = {"value": obs}
            return {**obs, **watched.calls.observations()}
        return wrapper
    return decorate(probe) if probe is not None else decorate
