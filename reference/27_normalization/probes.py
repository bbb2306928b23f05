"""Graded probes for topic 27. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs


def _affine(rng, d):
    gamma = rng.uniform(0.5, 2.0, d) * rng.choice([-1.0, 1.0], d)  # (d,) signs catch gamma misuse
    beta = rng.standard_normal(d)  # (d,)
    return gamma, beta


def _features(rng, n, d):
    # Each feature has its own mean and scale, so normalising over the wrong axis shows.
    return rng.standard_normal((n, d)) * rng.uniform(0.5, 4.0, d) + rng.uniform(-3, 3, d)  # (n, d)


@watch_inputs
def batchnorm_train_forward(sub, rng):
    n, d = 16, 5
    x = _features(rng, n, d)  # (N, D)
    # A constant feature has zero variance: only eps keeps it finite, and it must map to beta.
    x[:, 2] = rng.integers(-8, 8) / 4.0  # dyadic, so the mean is exact in any precision
    gamma, beta = _affine(rng, d)
    rm = rng.standard_normal(d)  # (D,) running mean from "earlier batches"
    rv = rng.uniform(0.5, 2.0, d)  # (D,)
    out, new_mean, new_var = sub.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), rm.copy(),
                                                   rv.copy(), True, 0.2, 1e-5)
    # Default momentum and eps, on a tiny batch of 2 where biased and unbiased differ by 2x.
    x2 = _features(rng, 2, d)  # (2, D)
    out2, mean2, var2 = sub.batchnorm_forward(x2.copy(), gamma.copy(), beta.copy(),
                                              np.zeros(d), np.ones(d))
    # eps is a documented argument: at 0.3, on features of variance ~0.1, it changes the output
    # by O(1), so a hard-coded 1e-5 shows.
    x3 = _features(rng, 7, d) * 0.3  # (7, D)
    out3 = sub.batchnorm_forward(x3.copy(), gamma.copy(), beta.copy(), rm.copy(), rv.copy(), True,
                                 0.1, 0.3)[0]
    return {"out": out, "running_mean": new_mean, "running_var": new_var,
            "batch2.out": out2, "batch2.running_mean": mean2, "batch2.running_var": var2,
            "eps0.3.out": out3}


@watch_inputs
def batchnorm_eval_forward(sub, rng):
    d = 4
    gamma, beta = _affine(rng, d)
    rm, rv = np.zeros(d), np.ones(d)  # (D,) PyTorch's initial running stats
    obs = {}
    for step in range(3):  # three training batches update the running statistics
        x = _features(rng, 8, d)  # (8, D)
        _, rm, rv = sub.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), rm.copy(), rv.copy(),
                                          True, 0.1, 1e-5)
        rm, rv = np.asarray(rm, dtype=np.float64), np.asarray(rv, dtype=np.float64)
        obs[f"step{step}.running_mean"], obs[f"step{step}.running_var"] = rm.copy(), rv.copy()
    # Eval mode: the output uses the running statistics, which stay as they are.
    x = _features(rng, 6, d) + 5.0  # (6, D): a shifted batch, unlike the training batches
    out, m, v = sub.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), rm.copy(), rv.copy(),
                                      False, 0.1, 1e-5)
    obs.update({"eval.out": out, "eval.running_mean": m, "eval.running_var": v})
    one = x[:1].copy()  # (1, D): eval mode must work on a single example
    obs["eval.single"] = sub.batchnorm_forward(one, gamma.copy(), beta.copy(), rm.copy(), rv.copy(),
                                               False)[0]
    return obs


# Finite differences are taken for dx only: dgamma and dbeta are plain sums, and the report's
# diagnostic then always speaks about dx, the gradient that is easy to get wrong.


@watch_inputs
def batchnorm_backward(sub, rng):
    n, d = 10, 4
    x = _features(rng, n, d)  # (N, D)
    gamma, beta = _affine(rng, d)
    g = rng.standard_normal((n, d))  # upstream gradient, (N, D)
    dx, dgamma, dbeta = sub.batchnorm_backward(x.copy(), gamma.copy(), g.copy(), 1e-5)
    rm, rv = np.zeros(d), np.ones(d)

    def fwd():
        return sub.batchnorm_forward(x, gamma, beta, rm.copy(), rv.copy(), True, 0.1, 1e-5)[0]

    xs = x * 0.3  # small variance, large eps: the eps inside the backward's 1/sqrt(var + eps) shows
    dx2, dgamma2, _ = sub.batchnorm_backward(xs.copy(), gamma.copy(), g.copy(), 0.3)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta, "eps0.3.dx": dx2, "eps0.3.dgamma": dgamma2,
            "diag.fd.dx": fd_diagnostic(fwd, x, g),
            "diag.fd.eps0.3.dx": fd_diagnostic(
                lambda: sub.batchnorm_forward(xs, gamma, beta, rm.copy(), rv.copy(), True, 0.1, 0.3)[0],
                xs, g)}


@watch_inputs
def layernorm_forward(sub, rng):
    x = _features(rng, 6, 8)  # (N, D)
    gamma, beta = _affine(rng, 8)
    x1 = _features(rng, 1, 8)  # (1, D): one example, where batch statistics would be degenerate
    return {"out": sub.layernorm_forward(x.copy(), gamma.copy(), beta.copy(), 1e-5),
            "single": sub.layernorm_forward(x1.copy(), gamma.copy(), beta.copy()),
            "eps0.3": sub.layernorm_forward(x.copy() * 0.3, gamma.copy(), beta.copy(), 0.3)}


@watch_inputs
def layernorm_backward(sub, rng):
    n, d = 5, 7
    x = _features(rng, n, d)  # (N, D)
    gamma, beta = _affine(rng, d)
    g = rng.standard_normal((n, d))  # upstream gradient, (N, D)
    dx, dgamma, dbeta = sub.layernorm_backward(x.copy(), gamma.copy(), g.copy(), 1e-5)
    xs = x * 0.3  # (N, D) small variance: eps = 0.3 matters
    dx2, dgamma2, _ = sub.layernorm_backward(xs.copy(), gamma.copy(), g.copy(), 0.3)

    def fwd():
        return sub.layernorm_forward(x, gamma, beta, 1e-5)

    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta, "eps0.3.dx": dx2, "eps0.3.dgamma": dgamma2,
            "diag.fd.dx": fd_diagnostic(fwd, x, g),
            "diag.fd.eps0.3.dx": fd_diagnostic(lambda: sub.layernorm_forward(xs, gamma, beta, 0.3), xs, g)}


def _images(rng, n, c, h, w):
    # Per-channel offsets and scales, so the grouping of channels matters.
    scale = rng.uniform(0.5, 3.0, (1, c, 1, 1))
    shift = rng.uniform(-2, 2, (1, c, 1, 1))
    return rng.standard_normal((n, c, h, w)) * scale + shift  # (N, C, H, W)


@watch_inputs
def groupnorm_forward(sub, rng):
    x = _images(rng, 3, 6, 4, 5)  # (N, C, H, W)
    gamma, beta = _affine(rng, 6)  # (C,)
    obs = {}
    for groups in (1, 2, 3, 6):  # 1 group = LayerNorm over (C, H, W); C groups = InstanceNorm
        obs[f"groups{groups}"] = sub.groupnorm_forward(x.copy(), gamma.copy(), beta.copy(), groups,
                                                       1e-5)
    obs["eps0.3"] = sub.groupnorm_forward(x.copy() * 0.3, gamma.copy(), beta.copy(), 3, 0.3)
    obs["default_eps"] = sub.groupnorm_forward(x.copy(), gamma.copy(), beta.copy(), 2)
    return obs


@watch_inputs
def groupnorm_backward(sub, rng):
    n, c, h, w, groups = 2, 4, 3, 3, 2
    x = _images(rng, n, c, h, w)  # (N, C, H, W)
    gamma, beta = _affine(rng, c)
    g = rng.standard_normal(x.shape)  # upstream gradient, (N, C, H, W)
    dx, dgamma, dbeta = sub.groupnorm_backward(x.copy(), gamma.copy(), g.copy(), groups, 1e-5)
    xs = x * 0.3  # small variance: eps = 0.3 matters
    dx2, dgamma2, _ = sub.groupnorm_backward(xs.copy(), gamma.copy(), g.copy(), groups, 0.3)

    def fwd():
        return sub.groupnorm_forward(x, gamma, beta, groups, 1e-5)

    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta, "eps0.3.dx": dx2, "eps0.3.dgamma": dgamma2,
            "diag.fd.dx": fd_diagnostic(fwd, x, g),
            "diag.fd.eps0.3.dx": fd_diagnostic(lambda: sub.groupnorm_forward(xs, gamma, beta, groups, 0.3),
                                               xs, g)}


@watch_inputs
def instancenorm_forward(sub, rng):
    x = _images(rng, 2, 3, 5, 4)  # (N, C, H, W)
    gamma, beta = _affine(rng, 3)
    tiny = _images(rng, 1, 2, 1, 2)  # (1, 2, 1, 2): two values per instance
    g2, b2 = _affine(rng, 2)
    return {"out": sub.instancenorm_forward(x.copy(), gamma.copy(), beta.copy(), 1e-5),
            "tiny": sub.instancenorm_forward(tiny.copy(), g2.copy(), b2.copy()),
            "eps0.3": sub.instancenorm_forward(x.copy() * 0.3, gamma.copy(), beta.copy(), 0.3)}
