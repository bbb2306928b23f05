"""Graded probes for topic 10. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def _away_from_kink(x):
    # ReLU-type gradients are undefined at 0; keep inputs clear of it.
    return np.where(np.abs(x) < 1e-2, 0.5, x)


def activations_forward(sub, rng):
    x = rng.standard_normal((6, 5)) * 3  # (6, 5)
    return {"sigmoid": sub.sigmoid(x.copy()), "tanh": sub.tanh(x.copy()),
            "relu": sub.relu(x.copy()), "leaky_relu": sub.leaky_relu(x.copy(), 0.1)}


def activations_extreme(sub, rng):
    # Large magnitudes: a sigmoid written as 1/(1+exp(-x)) overflows for x << 0 in float32 and
    # produces warnings in float64; a stable one does not.
    x = np.concatenate([rng.uniform(-900, -600, 5), rng.uniform(600, 900, 5), [0.0]])  # (11,)
    return {"sigmoid": sub.sigmoid(x.copy()), "tanh": sub.tanh(x.copy())}


def activations_backward(sub, rng):
    x = _away_from_kink(rng.standard_normal((4, 5)) * 2)  # (4, 5)
    g = rng.standard_normal(x.shape)  # upstream gradient, (4, 5)
    obs = {}
    for name in ACTIVATIONS:
        fwd, bwd = getattr(sub, name), getattr(sub, name + "_backward")
        obs[name] = bwd(x.copy(), g.copy())
        obs["diag.fd." + name] = fd_diagnostic(lambda: fwd(x), x, g)
    return obs


def softmax_forward(sub, rng):
    z = rng.standard_normal((5, 7)) * 2  # (5, 7)
    big = rng.standard_normal((3, 4)) * 5 + 1000.0  # (3, 4): naive exp overflows
    return {"rows": sub.softmax(z.copy()), "columns": sub.softmax(z.copy(), axis=0),
            "large_logits": sub.softmax(big.copy())}


def softmax_backward(sub, rng):
    z = rng.standard_normal((4, 6))  # (4, 6)
    g = rng.standard_normal(z.shape)
    return {"softmax": sub.softmax_backward(z.copy(), g.copy()),
            "diag.fd.softmax": fd_diagnostic(lambda: sub.softmax(z), z, g)}


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
    return {"mse": sub.mse(pred.copy(), target.copy()), "mae": sub.mae(pred.copy(), target.copy()),
            "bce_with_logits": sub.bce_with_logits(logits.copy(), targets.copy()),
            "cross_entropy": sub.cross_entropy(cl.copy(), labels.copy())}


def losses_extreme(sub, rng):
    # Confident, sometimes wrong predictions: the loss is large but finite.
    _, _, logits, targets, cl, labels = _loss_inputs(rng, scale=400.0)
    return {"bce_with_logits": sub.bce_with_logits(logits.copy(), targets.copy()),
            "cross_entropy": sub.cross_entropy(cl.copy(), labels.copy())}


def losses_backward(sub, rng):
    pred, target, logits, targets, cl, labels = _loss_inputs(rng)
    pred = target + _away_from_kink(pred - target)  # |pred - target| has a kink at 0
    obs = {"mse": sub.mse_backward(pred.copy(), target.copy()),
           "mae": sub.mae_backward(pred.copy(), target.copy()),
           "bce_with_logits": sub.bce_with_logits_backward(logits.copy(), targets.copy()),
           "cross_entropy": sub.cross_entropy_backward(cl.copy(), labels.copy())}
    obs["diag.fd.mse"] = fd_diagnostic(lambda: sub.mse(pred, target), pred)
    obs["diag.fd.mae"] = fd_diagnostic(lambda: sub.mae(pred, target), pred)
    obs["diag.fd.bce_with_logits"] = fd_diagnostic(lambda: sub.bce_with_logits(logits, targets), logits)
    obs["diag.fd.cross_entropy"] = fd_diagnostic(lambda: sub.cross_entropy(cl, labels), cl)
    return obs
