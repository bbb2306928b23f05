"""Trusted-side verdicts for topic 02: held-out targets are regenerated here from the seed."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_02", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plottable(curve):
    """The loss curve for the report, capped at 1e12: a diverging run reaches 1e300 and inf, which
    the report's log-scale plot cannot draw (the verdict itself never uses the curve)."""
    if curve is None:
        return None
    c = np.asarray(curve, dtype=float).reshape(-1)
    return np.clip(c, -1e12, 1e12)  # NaN stays NaN


def r2_target(*, ref, sub, test, seed):
    """R^2 of the submission's held-out predictions against targets drawn from the same seed."""
    args = {"n_test": 200, **test.args}
    rng = probe_rng(seed, test.id)
    w_true, b_true, _, _ = _probes().regression_data(rng, n=80, d=5)  # same draws as the probe
    X_test = rng.standard_normal((args["n_test"], 5))
    y_test = X_test @ w_true + b_true + 0.5 * rng.standard_normal(args["n_test"])
    pred = np.asarray(sub.get("pred"), dtype=float).reshape(-1)
    if pred.shape != y_test.shape:
        return Verdict(0.0, f"{pred.size} predictions for {y_test.size} held-out examples")
    if not np.all(np.isfinite(pred)):
        return target_verdict("R^2", None, test.options["target"], curve=plottable(sub.get("curve")))
    r2 = 1.0 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
    return target_verdict("R^2", r2, float(test.options["target"]), curve=plottable(sub.get("curve")),
                          reference_curve=plottable(ref.get("curve")))
