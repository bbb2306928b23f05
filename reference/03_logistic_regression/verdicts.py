"""Trusted-side verdicts for topic 03: held-out labels are regenerated here from the seed."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks.convergence import held_out_accuracy
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_03", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plottable(curve):
    """The loss curve for the report, capped at 1e12 so a diverging run can still be drawn."""
    if curve is None:
        return None
    return np.clip(np.asarray(curve, dtype=float).reshape(-1), -1e12, 1e12)


def accuracy_target(*, ref, sub, test, seed):
    """Held-out accuracy: the same draws as the probe, then the test labels (never in the sandbox)."""
    n_train, n_test = test.options.get("n_train", 300), test.options.get("n_test", 400)
    probes = _probes()
    rng = probe_rng(seed, test.id)
    w_true, b_true = probes.teacher(rng)
    X = rng.standard_normal((n_train, 2))
    probes.labels_from(rng, X, w_true, b_true)
    X_test = rng.standard_normal((n_test, 2))
    y_test = probes.labels_from(rng, X_test, w_true, b_true)
    return held_out_accuracy(pred=sub.get("pred"), labels=y_test, target=float(test.options["target"]),
                             curve=plottable(sub.get("curve")), reference_curve=plottable(ref.get("curve")))
