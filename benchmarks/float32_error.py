"""Measure how far a correct float32 answer lands from the float64 reference, per test, so value
tolerances are set from a measurement (the manifest cites this script).

For each seed, every probe of the topic runs twice in this process: against the reference, and
against the same reference whose functions first cast float64 array arguments to float32 (what a
student who computes in float32 hands in). Printed per test and per observation: the largest
absolute difference, and the largest relative difference where |expected| > atol_floor.

    python3 benchmarks/float32_error.py 10_dl_basics --seeds 20

Functions that must update their arguments in place are skipped by --skip (casting copies them)."""
from __future__ import annotations

import argparse
import functools
import types
from collections import defaultdict

import numpy as np


def _cast(v):
    if isinstance(v, np.ndarray) and v.dtype == np.float64:
        return v.astype(np.float32)
    if isinstance(v, (list, tuple)):
        return type(v)(_cast(x) for x in v)
    if isinstance(v, dict):
        return {k: _cast(x) for k, x in v.items()}
    return v


def _wrap(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*_cast(list(args)), **{k: _cast(v) for k, v in kwargs.items()})
    return wrapper


def _verdict(test, ref: dict, sub: dict):
    """The manifest's own check of the float32 answer against the float64 one (value and gradient
    checks; custom verdicts are topic-specific and not run here)."""
    from autograder.probe import ProbeObs
    from autograder.verdict import check
    return check(test, ProbeObs(id=test.id, status="ok", scalars=ref),
                 ProbeObs(id=test.id, status="ok", scalars=sub), verdicts=None, seed=0)


def main(argv=None):
    from autograder.runtime.harness import encode_observations, probe_rng
    from autograder.topics import get_topic

    ap = argparse.ArgumentParser()
    ap.add_argument("topic")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--skip", default="", help="comma-separated functions not to cast")
    ap.add_argument("--atol-floor", type=float, default=1e-6)
    args = ap.parse_args(argv)
    topic = get_topic(args.topic)
    src = topic.source("reference.py")
    probes = types.ModuleType("probes")
    exec(compile(topic.source("probes.py"), "<probes>", "exec"), probes.__dict__)
    ref = types.ModuleType("submission")
    exec(compile(src, "<reference>", "exec"), ref.__dict__)
    ref.__name__ = "submission"
    f32 = types.ModuleType("submission")
    exec(compile(src, "<reference>", "exec"), f32.__dict__)
    skip = set(filter(None, args.skip.split(",")))
    for name, fn in list(vars(f32).items()):
        if isinstance(fn, types.FunctionType) and not name.startswith("_") and name not in skip:
            f32.__dict__[name] = _wrap(fn)
    worst = defaultdict(lambda: [0.0, 0.0])
    failing, notes = defaultdict(list), {}
    for seed in range(args.seeds):
        for test in topic.tests:
            if test.check not in ("allclose", "gradient", "custom"):
                continue
            fn = getattr(probes, test.probe)
            try:
                a = encode_observations(fn(ref, probe_rng(seed, test.id), **test.args))
                b = encode_observations(fn(f32, probe_rng(seed, test.id), **test.args))
            except Exception as exc:  # noqa: BLE001
                print(f"{test.id}: {type(exc).__name__}: {exc}")
                continue
            va, vb = {**a[0], **a[1]}, {**b[0], **b[1]}
            if test.check in ("allclose", "gradient"):
                v = _verdict(test, va, vb)
                if not v.passed:
                    failing[test.id].append(seed)
                    notes[test.id] = v.message[:300]
            for key, x in va.items():
                if key.startswith("diag.") or key not in vb:
                    continue
                try:
                    x = np.asarray(x, dtype=np.float64)
                    y = np.asarray(vb[key], dtype=np.float64)
                except (TypeError, ValueError):
                    continue
                if x.shape != y.shape or x.size == 0:
                    print(f"{test.id}.{key}: shape {y.shape} vs {x.shape}")
                    continue
                fin = np.isfinite(x) & np.isfinite(y)
                d = np.abs(x - y)[fin]
                big = np.abs(x)[fin] > args.atol_floor
                w = worst[(test.id, key)]
                w[0] = max(w[0], float(d.max()) if d.size else 0.0)
                if big.any():
                    w[1] = max(w[1], float((d[big] / np.abs(x[fin][big])).max()))
    print(f"float32 vs float64 reference, {args.seeds} seeds (max abs, max rel where |x| > {args.atol_floor:g})")
    by_test = defaultdict(lambda: [0.0, 0.0])
    for (tid, key), (ab, rel) in sorted(worst.items()):
        print(f"  {tid}.{key}: abs {ab:.3g} rel {rel:.3g}")
        by_test[tid][0] = max(by_test[tid][0], ab)
        by_test[tid][1] = max(by_test[tid][1], rel)
    print("per test:")
    for test in topic.tests:
        if test.id in by_test:
            ab, rel = by_test[test.id]
            fails = failing.get(test.id, [])
            print(f"  {test.id}: abs {ab:.3g} rel {rel:.3g}   (manifest rtol {test.rtol:g} atol "
                  f"{test.atol:g}: float32 fails at {len(fails)}/{args.seeds} seeds)"
                  + (f"\n      {notes[test.id]}" if fails else ""))


if __name__ == "__main__":
    main()
