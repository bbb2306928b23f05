"""Trusted-side verdicts for topic 08: held-out targets are regenerated here from the seed."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_08", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plottable(curve):
    """The loss curve for the report, capped at 1e12 so a diverging run can still be drawn."""
    if curve is None:
        return None
    return np.clip(np.asarray(curve, dtype=float).reshape(-1), -1e12, 1e12)


def test_mse_target(*, ref, sub, test, seed):
    """Held-out MSE of the final weights; the noise variance (0.09) is the floor."""
    n_test = int(test.options.get("n_test", 300))
    rng = probe_rng(seed, test.id)
    w_true, _, _ = _probes().lsq_data(rng, n=240, d=6)  # same draws as the probe
    X_test = rng.standard_normal((n_test, 6))
    y_test = X_test @ w_true + 0.3 * rng.standard_normal(n_test)
    pred = np.asarray(sub.get("pred"), dtype=float).reshape(-1)
    if pred.shape != y_test.shape:
        return Verdict(0.0, f"{pred.size} predictions for {y_test.size} held-out examples")
    value = float(np.mean((pred - y_test) ** 2)) if np.all(np.isfinite(pred)) else None
    return target_verdict("test MSE", value, float(test.options["target"]), higher_is_better=False,
                          curve=plottable(sub.get("curve")), reference_curve=plottable(ref.get("curve")))
