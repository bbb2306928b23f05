"""Trusted-side verdicts for topic 14: the convergence test is fed (probes.mixture_task, run by the
grader): the generator's returned weights are loaded into the reference architecture here, sampled
with the noise the grader kept, and compared with fresh samples of the grader's secret mixture
(1-D Wasserstein distance)."""
import importlib.util
import math
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict


def _load(name):
    spec = importlib.util.spec_from_file_location(f"{name}_14", Path(__file__).with_name(f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(curves, k):
    """Run k's loss curve (row k of ``curves``, NaN-padded) for the plot, or None."""
    c = None if curves is None else np.asarray(curves)
    if c is None or c.dtype.kind not in "fiu" or c.ndim != 2 or not 0 <= k < c.shape[0]:
        return None
    row = c[k].astype(float)[:100_000]
    return np.clip(row[np.isfinite(row)], -1e12, 1e12)


G_ORDER = ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "out.weight", "out.bias")  # probes.G_ORDER


def _run(values, k):
    """What the probe returned for data set ``k`` (a flat vector and one shape row per name of
    Q2's Generator, see probes._packed) as {"param.<name>": array}; (None, why) if it does not
    unpack. Every value here came from the sandbox: bounded, and never trusted to be well formed."""
    flat, shapes = values.get(f"run{k}.weights"), values.get(f"run{k}.shapes")
    if flat is None or shapes is None:
        return None, "no trained Generator came back for it"
    flat, shapes = np.asarray(flat), np.asarray(shapes)
    if flat.dtype.kind not in "fiu" or flat.ndim != 1:
        return None, f"its weights came back as {flat.dtype} {flat.shape}, expected floats"
    if shapes.dtype.kind not in "iu" or shapes.shape != (len(G_ORDER), 5):
        return None, "its parameter shapes came back unreadable"
    out, pos = {}, 0
    for name, row in zip(G_ORDER, shapes.tolist()):
        ndim = int(row[0])
        if ndim < 0:
            continue  # missing: generator_distance names it
        shape = tuple(int(d) for d in row[1:1 + min(ndim, 4)])
        size = math.prod(shape) if ndim <= 4 and all(0 <= d <= 10**6 for d in shape) else -1
        if size < 0 or pos + size > flat.size:  # not shipped (too large) or not readable
            out[f"param.{name}"], out[f"param.{name}.shape"] = np.zeros(0), shape + (("...",) if ndim > 4 else ())
            continue
        out[f"param.{name}"] = flat[pos:pos + size].reshape(shape)
        pos += size
    return out, ""


def generator_distance(values, real, z, hidden):
    """W1 between the generator's samples for noise ``z`` (n, z_dim) and the mixture samples
    ``real`` (n,); (None, why) if the weights do not fit the Generator of Q2; NaN if they give
    non-finite samples."""
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
        shape = values.get(f"param.{k}.shape", v.shape)  # the shape it had, where its values did not fit
        if shape != tuple(p.shape):
            return None, f"parameter {k}: shape {shape}, expected {tuple(p.shape)}"
        state[k] = torch.tensor(v.astype(np.float64))
    G.load_state_dict(state)
    with np.errstate(all="ignore"), torch.no_grad():
        fake = G(torch.tensor(np.asarray(z, dtype=np.float64))).numpy().reshape(-1)  # (n,)
        if not np.all(np.isfinite(fake)):
            return float("nan"), ""
        w1 = float(np.mean(np.abs(np.sort(fake) - np.sort(np.asarray(real, dtype=np.float64)))))
    return (w1 if np.isfinite(w1) else float("nan")), ""


def _num(x):
    """A plain float for the report's details, None where there is none (JSON has no NaN)."""
    return float(x) if x is not None and np.isfinite(x) else None


def _fmt(values):
    return ", ".join("NaN/Inf" if not np.isfinite(v) else f"{v:.3g}" for v in values)


def w1_target(*, ref, sub, test, seed, held_out=None):
    """Fed test: each generator's weights, run by the reference's Generator on noise the sandbox
    never saw, against fresh samples of the grader's secret mixture for its data set. Passes when
    most data sets (3 of 5) are within the target: an honest training run misses it now and then
    (a GAN's luck; the manifest has the measured odds), a generator that was not fitted to the
    samples misses nearly every one."""
    if held_out is None:
        raise RuntimeError("mixture_convergence must be a fed probe ([tests.timing] feed = \"mixture_task\")")
    target = float(test.options["target"])
    hidden = int(test.args.get("hidden", 32))
    real, z = np.asarray(held_out["real"]), np.asarray(held_out["z"])  # (S, n), (S, n, Z)
    n_sets = real.shape[0]
    need = n_sets // 2 + 1
    values, ref_values = [], []
    for k in range(n_sets):
        params, why = _run(sub, k)
        value, why = (None, why) if params is None else generator_distance(params, real[k], z[k], hidden)
        if value is None:
            return Verdict(0.0, f"could not evaluate the generator trained on data set {k + 1} of "
                                f"{n_sets}: {why} (train_gan must return (G, D, losses) with the "
                                f"Generator of Q2)")
        values.append(value)
        ref_params, _ = _run(ref, k)
        ref_values.append(None if ref_params is None else
                          generator_distance(ref_params, real[k], z[k], hidden)[0])
    # the rule "need of n_sets within the target" is "the need-th smallest is within it" (NaN last)
    order = np.argsort(np.nan_to_num(values, nan=np.inf), kind="stable")
    k_show = int(order[need - 1])  # the decisive run: its distance is the one shown
    decisive = values[k_show]
    ref_ranked = sorted(np.nan_to_num([np.nan if v is None else v for v in ref_values], nan=np.inf))
    metric = "Wasserstein-1 distance to the mixture"
    v = target_verdict(metric, decisive if np.isfinite(decisive) else None, target,
                       higher_is_better=False, curve=_curve(sub.get("curves"), k_show),
                       reference_curve=_curve(ref.get("curves"), k_show))
    v.details.update(values=[_num(x) for x in values], rule=f"{need} of {n_sets}",
                     reference_value=_num(ref_ranked[need - 1]),
                     reference_values=[_num(x) for x in ref_values])
    passed = sum(1 for x in values if np.isfinite(x) and x <= target)
    if passed >= need:
        return Verdict(1.0, "", v.details)
    return Verdict(0.0, f"{metric} on held-out samples, per data set (each a mixture the grader drew, "
                        f"one training run of train_gan): {_fmt(values)}; needs <= {target:g} on at "
                        f"least {need} of {n_sets} within the training budget ({passed} did)",
                   v.details)
