"""Trusted-side verdicts for topic 14: the generator's returned weights are loaded into the
reference architecture here, sampled with noise drawn here, and compared with fresh samples of the
mixture drawn here (1-D Wasserstein distance)."""
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


def generator_distance(values, seed, z_dim, hidden, n=4000):
    """W1 between n generated and n mixture samples; (None, why) if the weights do not fit."""
    import torch

    ref, probes = _load("reference"), _load("probes")
    G = ref.Generator(z_dim, hidden, 1).double()
    state = {}
    for k, p in G.state_dict().items():
        v = values.get(f"param.{k}")
        if v is None:
            return None, f"no parameter named {k!r} in your trained Generator"
        v = np.asarray(v, dtype=float)
        if v.shape != tuple(p.shape):
            return None, f"parameter {k}: shape {v.shape}, expected {tuple(p.shape)}"
        state[k] = torch.tensor(v)
    G.load_state_dict(state)
    rng = np.random.default_rng([seed, 14])
    with torch.no_grad():
        fake = G(torch.tensor(rng.standard_normal((n, z_dim)))).numpy().reshape(-1)
    real = probes.mixture(rng, n)
    if not np.all(np.isfinite(fake)):
        return float("nan"), ""
    return float(np.mean(np.abs(np.sort(fake) - np.sort(real)))), ""


def w1_target(*, ref, sub, test, seed):
    z_dim, hidden = int(test.args.get("z_dim", 4)), int(test.args.get("hidden", 32))
    value, why = generator_distance(sub, seed, z_dim, hidden)
    if value is None:
        return Verdict(0.0, f"could not evaluate the trained generator: {why} (train_gan must "
                            f"return (G, D, losses) with the Generator of Q2)")
    ref_value, _ = generator_distance(ref, seed, z_dim, hidden)
    v = target_verdict("Wasserstein-1 distance to the mixture", value, float(test.options["target"]),
                       higher_is_better=False, curve=_curve(sub.get("curve")),
                       reference_curve=_curve(ref.get("curve")))
    v.details["reference_value"] = ref_value
    return v
