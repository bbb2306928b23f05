"""Trusted-side verdicts for topic 09: the held-out XOR labels are regenerated here from the seed."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks.convergence import held_out_accuracy
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_09", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plottable(curve):
    """The loss curve for the report, capped so a diverging run can still be drawn."""
    if curve is None:
        return None
    return np.clip(np.asarray(curve, dtype=float).reshape(-1), -1e12, 1e12)


def xor_accuracy(*, ref, sub, test, seed):
    """Same draws as the probe (training set, then test set), keeping the test labels."""
    n_train, n_test = test.options.get("n_train", 200), test.options.get("n_test", 400)
    probes = _probes()
    rng = probe_rng(seed, test.id)
    probes.xor_data(rng, n_train)
    _, y_test = probes.xor_data(rng, n_test)
    return held_out_accuracy(pred=sub.get("pred"), labels=y_test.astype(np.int64),
                             target=float(test.options["target"]), curve=plottable(sub.get("curve")),
                             reference_curve=plottable(ref.get("curve")))
