"""Trusted-side verdicts for topic 13: the convergence test is fed (probes.digits_task, run by the
grader): the held-out digits never reach the sandbox, and the returned weights are run through the
reference's own Autoencoder here. A forward that looks the answer up, or a model that remembers
the digits it was given, gains nothing: only the trained weights are scored."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict

N_IN, N_HIDDEN, N_LATENT = 64, 32, 8  # the probe's train_autoencoder(n_hidden=32, n_latent=8)


def _reference():
    spec = importlib.util.spec_from_file_location("reference_13", Path(__file__).with_name("reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(values):
    if values is None:
        return None
    return np.clip(np.asarray(values, dtype=float).reshape(-1), -1e12, 1e12)


def reconstruction_mse(values, noisy, clean):
    """(MSE, "") of the reference's Autoencoder with the weights in ``values`` (``param.<name>``),
    denoising ``noisy`` against ``clean``; (None, why) where the weights do not fit Q1's module."""
    import torch

    model = _reference().Autoencoder(N_IN, N_HIDDEN, N_LATENT).double()
    state = {}
    for name, p in model.state_dict().items():
        v = values.get(f"param.{name}")
        if v is None:
            return None, (f"the trained model has no parameter {name!r} (state_dict names of the "
                          f"Autoencoder of Q1: {', '.join(model.state_dict())})")
        v = np.asarray(v)
        if v.dtype.kind not in "fiu":
            return None, f"parameter {name}: dtype {v.dtype}, expected floats"
        if v.shape != tuple(p.shape):
            return None, (f"parameter {name}: shape {v.shape}, expected {tuple(p.shape)} (the "
                          f"Autoencoder of Q1 with n_in={N_IN}, n_hidden={N_HIDDEN}, n_latent={N_LATENT})")
        state[name] = torch.tensor(v.astype(np.float64))
    model.load_state_dict(state)
    with torch.no_grad(), np.errstate(all="ignore"):
        recon = model(torch.tensor(noisy, dtype=torch.float64)).numpy()  # (N_held_out, 64)
        return float(np.mean((recon - clean) ** 2)), ""


def heldout_mse(*, ref, sub, test, seed, held_out=None):
    """Mean squared error between the clean held-out digits and the reference Autoencoder's
    reconstructions of their noisy copies, with the weights the submission's training returned."""
    if held_out is None:
        raise RuntimeError("digits_convergence must be a fed probe ([tests.timing] feed = \"digits_task\")")
    value, why = reconstruction_mse(sub, held_out["noisy"], held_out["clean"])
    if value is None:
        return Verdict(0.0, f"could not evaluate the trained model: {why} (train_autoencoder must "
                            f"return (model, losses) with the Autoencoder of Q1)")
    ref_value, _ = reconstruction_mse(ref, held_out["noisy"], held_out["clean"])
    v = target_verdict("reconstruction MSE", value, float(test.options["target"]),
                       higher_is_better=False, curve=_curve(sub.get("curve")),
                       reference_curve=_curve(ref.get("curve")))
    v.details["reference_value"] = ref_value
    return v
