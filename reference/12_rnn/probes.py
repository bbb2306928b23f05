"""Graded probes for topic 12. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs

GRAD_NAMES = ("dx", "dh0", "dWx", "dWh", "db")


def _params(rng, D, H):
    # Small weights keep tanh away from saturation, so every gradient is of order one.
    Wx = rng.standard_normal((D, H)) * 0.5  # (D, H)
    Wh = rng.standard_normal((H, H)) * 0.4  # (H, H)
    b = rng.standard_normal(H) * 0.2  # (H,)
    return Wx, Wh, b


def _copies(*arrays):
    return [a.copy() for a in arrays]


@watch_inputs
def step_forward(sub, rng):
    N, D, H = 4, 3, 5
    x = rng.standard_normal((N, D))  # (N, D)
    h_prev = rng.standard_normal((N, H))  # (N, H)
    Wx, Wh, b = _params(rng, D, H)
    return {"h_next": sub.rnn_step_forward(*_copies(x, h_prev, Wx, Wh, b))}


@watch_inputs
def sequence_forward(sub, rng):
    N, T, D, H = 3, 7, 4, 6
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    Wx, Wh, b = _params(rng, D, H)
    return {"h": sub.rnn_forward(*_copies(x, h0, Wx, Wh, b))}


@watch_inputs
def sequence_shapes(sub, rng):
    # Odd sizes (D != H, T = 1, N = 1) catch transposes and hard-coded axes.
    obs = {}
    for name, (N, T, D, H) in {"a": (2, 5, 3, 4), "b": (1, 1, 6, 2), "c": (5, 3, 1, 7)}.items():
        x = rng.standard_normal((N, T, D))  # (N, T, D)
        h0 = np.zeros((N, H))  # (N, H)
        Wx, Wh, b = _params(rng, D, H)
        h = np.asarray(sub.rnn_forward(*_copies(x, h0, Wx, Wh, b)))  # (N, T, H)
        obs[name] = {"shape": np.array(h.shape), "is_float": h.dtype.kind == "f"}
    return obs


@watch_inputs
def backward_shapes(sub, rng):
    N, T, D, H = 2, 3, 5, 3
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H))  # (N, H)
    Wx, Wh, b = _params(rng, D, H)
    dh = rng.standard_normal((N, T, H))  # upstream gradient for every hidden state
    grads = sub.rnn_backward(*_copies(dh, x, h0, Wx, Wh, b))
    obs = {"count": len(grads)}
    for name, g in zip(GRAD_NAMES, grads):
        obs[name] = np.array(np.shape(g))
    return obs


@watch_inputs
def step_backward(sub, rng):
    N, D, H = 3, 4, 5
    x = rng.standard_normal((N, D))  # (N, D)
    h_prev = rng.standard_normal((N, H))  # (N, H)
    Wx, Wh, b = _params(rng, D, H)
    g = rng.standard_normal((N, H))  # upstream gradient of h_next, (N, H)
    dx, dh_prev, dWx, dWh, db = sub.rnn_step_backward(*_copies(g, x, h_prev, Wx, Wh, b))
    obs = {"dx": dx, "dh_prev": dh_prev, "dWx": dWx, "dWh": dWh, "db": db}

    def fwd():
        return sub.rnn_step_forward(x, h_prev, Wx, Wh, b)
    for key, arr in {"dx": x, "dh_prev": h_prev, "dWx": Wx, "dWh": Wh, "db": b}.items():
        obs["diag.fd." + key] = fd_diagnostic(fwd, arr, g)
    return obs


@watch_inputs
def bptt(sub, rng, T=6):
    N, D, H = 2, 3, 4
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    Wx, Wh, b = _params(rng, D, H)
    dh = rng.standard_normal((N, T, H))  # upstream gradient of every h_t, (N, T, H)
    grads = sub.rnn_backward(*_copies(dh, x, h0, Wx, Wh, b))
    obs = dict(zip(GRAD_NAMES, grads))

    def fwd():
        return sub.rnn_forward(x, h0, Wx, Wh, b)
    for key, arr in zip(GRAD_NAMES, (x, h0, Wx, Wh, b)):
        obs["diag.fd." + key] = fd_diagnostic(fwd, arr, dh)
    return obs


@watch_inputs
def bptt_last_step_only(sub, rng, T=8):
    # Loss on the final hidden state only (sequence classification): every earlier gradient has
    # to travel back through the recurrence.
    N, D, H = 3, 2, 4
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = np.zeros((N, H))  # (N, H)
    Wx, Wh, b = _params(rng, D, H)
    dh = np.zeros((N, T, H))
    dh[:, -1] = rng.standard_normal((N, H))  # (N, H): only h_T reaches the loss
    grads = sub.rnn_backward(*_copies(dh, x, h0, Wx, Wh, b))
    obs = dict(zip(GRAD_NAMES, grads))
    obs["diag.fd.dWh"] = fd_diagnostic(lambda: sub.rnn_forward(x, h0, Wx, Wh, b), Wh, dh)
    return obs


@watch_inputs
def clip_grad_norm(sub, rng):
    grads = [rng.standard_normal((3, 4)) * 2, rng.standard_normal((4, 4)), rng.standard_normal(4)]
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    obs = {}
    # Above the threshold (clipped) and below it (returned unchanged).
    for name, max_norm in {"clipped": total / 3.0, "unclipped": total * 2.0}.items():
        out, norm = sub.clip_grad_norm(_copies(*grads), max_norm)
        obs[name] = {"norm": float(norm), **{f"g{i}": np.asarray(g) for i, g in enumerate(out)}}
    return obs
