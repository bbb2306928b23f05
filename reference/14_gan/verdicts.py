"""Trusted-side verdicts for topic 14: the convergence test is fed (probes.mixture_task, run by the
grader): the generator's returned weights are loaded into the reference architecture here, sampled
with the noise the grader kept, and compared with fresh samples of the grader's secret mixture
(1-D Wasserstein distance)."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict


def _load(name):
    spec = importlib.util.spec_from_file_location(f"{name}_14", Path(__file__).with_name(f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(c):
    return None if c is None else np.clip(np.asarray(c, dtype=float).reshape(-1), -1e12, 1e12)


def generator_distance(values, real, z, hidden):
    """W1 between the generator's samples for noise ``z`` (n, z_dim) and the mixture samples
    ``real`` (n,); (None, why) if the weights do not fit the Generator of Q2."""
    import torch

    ref = _load("reference")
    G = ref.Generator(z.shape[1], hidden, 1).double()
    state = {}
    for k, p in G.state_dict().items():
        v = values.get(f"param.{k}")
        if v is None:
            return None, f"no parameter named {k!r} in your trained Generator"
        v = np.asarray(v)
        if v.dtype.kind not in "fiu":
            return None, f"parameter {k}: dtype {v.dtype}, expected floats"
        v = v.astype(np.float64)
        if v.shape != tuple(p.shape):
            return None, f"parameter {k}: shape {v.shape}, expected {tuple(p.shape)}"
        state[k] = torch.tensor(v)
    G.load_state_dict(state)
    with torch.no_grad():
        fake = G(torch.tensor(np.asarray(z, dtype=np.float64))).numpy().reshape(-1)  # (n,)
    if not np.all(np.isfinite(fake)):
        return float("nan"), ""
    return float(np.mean(np.abs(np.sort(fake) - np.sort(np.asarray(real, dtype=np.float64))))), ""


def w1_target(*, ref, sub, test, seed, held_out=None):
    """Fed test: the generator's weights, run by the reference's Generator on noise the sandbox
    never saw, against fresh samples of the grader's secret mixture."""
    if held_out is None:
        raise RuntimeError("mixture_convergence must be a fed probe ([tests.timing] feed = \"mixture_task\")")
    hidden = int(test.args.get("hidden", 32))
    real, z = held_out["real"], held_out["z"]
    value, why = generator_distance(sub, real, z, hidden)
    if value is None:
        return Verdict(0.0, f"could not evaluate the trained generator: {why} (train_gan must "
                            f"return (G, D, losses) with the Generator of Q2)")
    ref_value, _ = generator_distance(ref, real, z, hidden)
    v = target_verdict("Wasserstein-1 distance to the mixture", value, float(test.options["target"]),
                       higher_is_better=False, curve=_curve(sub.get("curve")),
                       reference_curve=_curve(ref.get("curve")))
    v.details["reference_value"] = ref_value
    return v
