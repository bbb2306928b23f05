"""Trusted-side verdicts for topic 13: the clean held-out digits are regenerated here from the seed,
and the reconstruction error is measured here (never in the sandbox)."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_13", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(values):
    if values is None:
        return None
    return np.clip(np.asarray(values, dtype=float).reshape(-1), -1e12, 1e12)


def heldout_mse(*, ref, sub, test, seed):
    """Mean squared error between the submission's reconstructions of the noisy held-out digits
    and the clean held-out digits (same draws as the probe: the split, then the noise)."""
    _, clean = _probes().digits_split(probe_rng(seed, test.id))
    recon = sub.get("recon")
    if recon is None:
        return Verdict(0.0, "no reconstructions were returned")
    recon = np.asarray(recon)
    if recon.shape != clean.shape:
        return Verdict(0.0, f"reconstructions of shape {tuple(recon.shape)}, expected "
                            f"{tuple(clean.shape)} (one row of 64 pixels per held-out digit)")
    if recon.dtype.kind not in "fiu":
        return Verdict(0.0, f"reconstructions of dtype {recon.dtype}, expected floats")
    with np.errstate(all="ignore"):
        mse = float(np.mean((recon.astype(np.float64) - clean) ** 2))
    v = target_verdict("reconstruction MSE", mse, float(test.options["target"]),
                       higher_is_better=False, curve=_curve(sub.get("curve")),
                       reference_curve=_curve(ref.get("curve")))
    v.details["reference_value"] = float(np.mean((np.asarray(ref["recon"]) - clean) ** 2))
    return v
