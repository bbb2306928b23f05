"""Trusted-side verdicts for topic 19: the held-out negative ELBO of the trained weights, computed
here with the reference architecture. The convergence test is fed (probes.digits_task, run by the
grader): the held-out digits and the noise draws never reach the sandbox."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks.convergence import target_verdict


def _load(name):
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{name}_19", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(c):
    return None if c is None else np.clip(np.asarray(c, dtype=float).reshape(-1), -1e12, 1e12)


def held_out_nelbo(values, X_test, eps, hidden, latent):
    """Mean negative ELBO (nats per digit) over the noise draws ``eps`` (draws, N, latent);
    (None, why) if the weights do not fit the VAE of Q4."""
    import torch

    ref = _load("reference")
    model = ref.VAE(X_test.shape[1], hidden, latent).double()
    state = {}
    for k, p in model.state_dict().items():
        v = values.get(f"param.{k}")
        if v is None:
            return None, f"no parameter named {k!r} in your trained VAE"
        v = np.asarray(v)
        if v.dtype.kind not in "fiu":
            return None, f"parameter {k}: dtype {v.dtype}, expected floats"
        v = v.astype(np.float64)
        if v.shape != tuple(p.shape):
            return None, f"parameter {k}: shape {v.shape}, expected {tuple(p.shape)}"
        state[k] = torch.tensor(v)
    model.load_state_dict(state)
    x = torch.tensor(X_test, dtype=torch.float64)
    noise = np.asarray(eps, dtype=np.float64)  # (draws, N, latent)
    with torch.no_grad(), np.errstate(all="ignore"):
        vals = [float(ref.negative_elbo(x, *model(x, torch.tensor(e)))) for e in noise]
    return float(np.mean(vals)), ""


def nelbo_target(*, ref, sub, test, seed, held_out=None):
    """The held-out negative ELBO of the weights the submission's training returned, on the
    held-out digits the grader kept, with the reference's VAE and loss."""
    if held_out is None:
        raise RuntimeError("digits_convergence must be a fed probe ([tests.timing] feed = \"digits_task\")")
    X_test, eps = held_out["X_test"], held_out["eps"]
    hidden, latent = int(test.args.get("hidden", 128)), int(test.args.get("latent", 8))
    value, why = held_out_nelbo(sub, X_test, eps, hidden, latent)
    if value is None:
        from autograder.checks import Verdict

        return Verdict(0.0, f"could not evaluate the trained model: {why} (train_vae must return "
                            f"(model, losses) with the VAE of Q4)")
    ref_value, _ = held_out_nelbo(ref, X_test, eps, hidden, latent)
    v = target_verdict("held-out negative ELBO (nats per digit)", value, float(test.options["target"]),
                       higher_is_better=False, curve=_curve(sub.get("curve")),
                       reference_curve=_curve(ref.get("curve")))
    v.details["reference_value"] = ref_value
    return v
