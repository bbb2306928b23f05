"""Graded probes for topic 10. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import numpy as np

from autograder.checks.calls import Calls
from autograder.checks.gradients import fd_diagnostic

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def _away_from_kink(x):
    # ReLU-type gradients are undefined at 0; keep inputs clear of it.
    return np.where(np.abs(x) < 1e-2, 0.5, x)


def activations_forward(sub, rng):
    x = rng.standard_normal((6, 5)) * 3  # (6, 5)
    c = Calls()
    return {"sigmoid": c("sigmoid", sub.sigmoid, x), "tanh": c("tanh", sub.tanh, x),
            "relu": c("relu", sub.relu, x), "leaky_relu": c("leaky_relu", sub.leaky_relu, x, 0.1),
            # The documented default alpha=0.01, not some other constant.
            "leaky_relu_default": c("leaky_relu", sub.leaky_relu, x), **c.observations()}


def activations_extreme(sub, rng):
    # Large magnitudes: a sigmoid written as 1/(1+exp(-x)) overflows for x << 0 in float32 and
    # warns in float64 (graded: no_warnings); a stable one does not. Fixed +-1000 so that every
    # seed reaches the overflow regime.
    x = np.concatenate([rng.uniform(-900, -600, 5), rng.uniform(600, 900, 5),
                        [0.0, -1000.0, 1000.0, -750.0, 750.0]])  # (15,)
    return {"sigmoid": sub.sigmoid(x.copy()), "tanh": sub.tanh(x.copy())}


def activations_backward(sub, rng):
    x = _away_from_kink(rng.standard_normal((4, 5)) * 2)  # (4, 5)
    g = rng.standard_normal(x.shape)  # upstream gradient, (4, 5)
    c = Calls()
    obs = {}
    for name in ACTIVATIONS:
        fwd, bwd = getattr(sub, name), getattr(sub, name + "_backward")
        obs[name] = c(name + "_backward", bwd, x, g)
        obs["diag.fd." + name] = fd_diagnostic(lambda: fwd(x), x, g)
    # alpha passed through to the backward (default 0.01 above).
    obs["leaky_relu_alpha"] = c("leaky_relu_backward", sub.leaky_relu_backward, x, g, alpha=0.2)
    obs["diag.fd.leaky_relu_alpha"] = fd_diagnostic(lambda: sub.leaky_relu(x, 0.2), x, g)
    return {**obs, **c.observations()}


def softmax_forward(sub, rng):
    z = rng.standard_normal((5, 7)) * 2  # (5, 7)
    big = rng.standard_normal((3, 4)) * 5 + 1000.0  # (3, 4): naive exp overflows
    # Rows (and columns) at very different offsets: subtracting the max of the whole array instead
    # of each row's (column's) max underflows the low rows to 0/0.
    offsets = np.array([0.0, -1500.0, 800.0, 300.0])[:, None]  # (4, 1)
    mixed = rng.standard_normal((4, 6)) * 3 + offsets  # (4, 6)
    z3 = rng.standard_normal((2, 5, 3)) * 3 + np.array([0.0, 900.0, -900.0])  # (2, 5, 3)
    c = Calls()
    return {"rows": c("softmax", sub.softmax, z), "columns": c("softmax", sub.softmax, z, axis=0),
            "large_logits": c("softmax", sub.softmax, big),
            "mixed_rows": c("softmax", sub.softmax, mixed),
            "mixed_columns": c("softmax", sub.softmax, mixed.T.copy(), axis=0),
            "middle_axis": c("softmax", sub.softmax, z3, axis=1), **c.observations()}


def softmax_backward(sub, rng):
    z = rng.standard_normal((4, 6))  # (4, 6)
    g = rng.standard_normal(z.shape)
    z3 = rng.standard_normal((2, 3, 5))  # (2, 3, 5)
    g3 = rng.standard_normal(z3.shape)
    c = Calls()
    return {"softmax": c("softmax_backward", sub.softmax_backward, z, g),
            "diag.fd.softmax": fd_diagnostic(lambda: sub.softmax(z), z, g),
            # axis is a documented argument: non-default, on a non-square array and a middle axis.
            "axis0": c("softmax_backward", sub.softmax_backward, z, g, axis=0),
            "diag.fd.axis0": fd_diagnostic(lambda: sub.softmax(z, axis=0), z, g),
            "axis1_3d": c("softmax_backward", sub.softmax_backward, z3, g3, axis=1),
            "diag.fd.axis1_3d": fd_diagnostic(lambda: sub.softmax(z3, axis=1), z3, g3),
            **c.observations()}


def _loss_inputs(rng, scale=1.0):
    pred = rng.standard_normal((8, 3))  # (8, 3) regression outputs
    target = rng.standard_normal((8, 3))
    logits = rng.standard_normal((10,)) * scale  # (10,) binary logits
    targets = (rng.random(10) < 0.5).astype(float)
    class_logits = rng.standard_normal((6, 4)) * scale  # (6, 4): 6 examples, 4 classes
    labels = rng.integers(0, 4, size=6)
    return pred, target, logits, targets, class_logits, labels


def losses_forward(sub, rng):
    pred, target, logits, targets, cl, labels = _loss_inputs(rng)
    c = Calls()
    return {"mse": c("mse", sub.mse, pred, target), "mae": c("mae", sub.mae, pred, target),
            "bce_with_logits": c("bce_with_logits", sub.bce_with_logits, logits, targets),
            "cross_entropy": c("cross_entropy", sub.cross_entropy, cl, labels), **c.observations()}


def losses_extreme(sub, rng):
    # Confident, sometimes wrong predictions: the loss is large but finite. The fixed +-1000 and
    # +-750 logits reach exp overflow (> 709) at every seed: log1p(exp(z)) is inf there, and
    # log(softmax) is log(0) for a wrong confident class.
    _, _, logits, targets, cl, labels = _loss_inputs(rng, scale=400.0)
    logits = np.concatenate([logits, [1000.0, -1000.0, 750.0, -750.0]])  # (14,)
    targets = np.concatenate([targets, [0.0, 1.0, 1.0, 0.0]])
    cl = np.concatenate([cl, [[1000.0, 0.0, -1000.0, 5.0], [-800.0, 900.0, 0.0, 0.0]]])  # (8, 4)
    labels = np.concatenate([labels, [2, 0]])
    return {"bce_with_logits": sub.bce_with_logits(logits.copy(), targets.copy()),
            "cross_entropy": sub.cross_entropy(cl.copy(), labels.copy())}


def losses_backward(sub, rng):
    pred, target, logits, targets, cl, labels = _loss_inputs(rng)
    pred = target + _away_from_kink(pred - target)  # |pred - target| has a kink at 0
    c = Calls()
    obs = {"mse": c("mse_backward", sub.mse_backward, pred, target),
           "mae": c("mae_backward", sub.mae_backward, pred, target),
           "bce_with_logits": c("bce_with_logits_backward", sub.bce_with_logits_backward, logits, targets),
           "cross_entropy": c("cross_entropy_backward", sub.cross_entropy_backward, cl, labels)}
    obs["diag.fd.mse"] = fd_diagnostic(lambda: sub.mse(pred, target), pred)
    obs["diag.fd.mae"] = fd_diagnostic(lambda: sub.mae(pred, target), pred)
    obs["diag.fd.bce_with_logits"] = fd_diagnostic(lambda: sub.bce_with_logits(logits, targets), logits)
    obs["diag.fd.cross_entropy"] = fd_diagnostic(lambda: sub.cross_entropy(cl, labels), cl)
    return {**obs, **c.observations()}
