"""Trusted-side verdicts for topic 37: the quadratic is rebuilt from the seed and the final loss is
computed here from the returned point (the probe's own numbers are only plotted)."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks.convergence import target_verdict
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_37", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plottable(curve):
    if curve is None:
        return None
    return np.clip(np.asarray(curve, dtype=float).reshape(-1), -1e12, 1e12)


def quadratic_target(*, ref, sub, test, seed):
    """Loss reduction f(x_final) / f(x0) on the seeded quadratic; x0 = 0 as in the probe."""
    A, x_star = _probes().ill_conditioned_problem(probe_rng(seed, test.id))
    x = sub.get("x")
    f0 = 0.5 * float(x_star @ A @ x_star)
    value = None
    if x is not None:
        x = np.asarray(x, dtype=float).reshape(-1)
        if x.shape == x_star.shape:
            r = x - x_star
            value = 0.5 * float(r @ A @ r) / f0
    return target_verdict("loss relative to the start", value, float(test.options["target"]),
                          higher_is_better=False, curve=plottable(sub.get("curve")),
                          reference_curve=plottable(ref.get("curve")))
