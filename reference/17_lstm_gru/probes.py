"""Graded probes for topic 17. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs

CELL_GRADS = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
SEQ_GRADS = ("dx", "dh0", "dc0", "dWx", "dWh", "db")


def _copies(*arrays):
    return [a.copy() for a in arrays]


def _lstm_params(rng, D, H):
    # Moderate weights: gates spread over (0, 1) instead of saturating, so every gate matters.
    Wx = rng.standard_normal((D, 4 * H)) * 0.6  # (D, 4H), blocks [i, f, o, g]
    Wh = rng.standard_normal((H, 4 * H)) * 0.5  # (H, 4H)
    b = rng.standard_normal(4 * H) * 0.8  # (4H,): large enough that a dropped bias shows
    return Wx, Wh, b


def _gru_params(rng, D, H):
    Wx = rng.standard_normal((D, 3 * H)) * 0.6  # (D, 3H), blocks [r, z, n]
    Wh = rng.standard_normal((H, 3 * H)) * 0.5  # (H, 3H)
    bx = rng.standard_normal(3 * H) * 0.5  # (3H,)
    bh = rng.standard_normal(3 * H) * 0.5  # (3H,): its n block sits inside r * (...)
    return Wx, Wh, bx, bh


@watch_inputs
def lstm_cell_forward(sub, rng):
    N, D, H = 4, 3, 5
    x = rng.standard_normal((N, D))  # (N, D)
    h_prev = rng.standard_normal((N, H))  # (N, H)
    c_prev = rng.standard_normal((N, H)) * 2  # (N, H)
    h, c = sub.lstm_cell_forward(*_copies(x, h_prev, c_prev, *_lstm_params(rng, D, H)))
    return {"h_next": h, "c_next": c}


@watch_inputs
def lstm_gate_blocks(sub, rng):
    # No weights, only a bias: each block of 4H is switched on in turn, so a permuted gate order
    # or a missing forget-gate bias gives a distinctly wrong (h, c) for that block.
    N, D, H = 2, 3, 4
    x = rng.standard_normal((N, D))  # (N, D)
    h_prev = rng.standard_normal((N, H))  # (N, H)
    c_prev = rng.uniform(0.5, 1.5, (N, H))  # (N, H)
    obs = {}
    for k, gate in enumerate("ifog"):
        b = np.full(4 * H, -1.0)  # (4H,)
        b[k * H:(k + 1) * H] = 3.0
        h, c = sub.lstm_cell_forward(*_copies(x, h_prev, c_prev, np.zeros((D, 4 * H)),
                                              np.zeros((H, 4 * H)), b))
        obs[gate] = {"h_next": h, "c_next": c}
    return obs


@watch_inputs
def lstm_sequence(sub, rng):
    N, T, D, H = 3, 6, 4, 5
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    c0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    hs, cs = sub.lstm_forward(*_copies(x, h0, c0, *_lstm_params(rng, D, H)))
    return {"h": hs, "c": cs}


@watch_inputs
def gru_cell_forward(sub, rng):
    N, D, H = 4, 3, 5
    x = rng.standard_normal((N, D))  # (N, D)
    h_prev = rng.standard_normal((N, H))  # (N, H)
    return {"h_next": sub.gru_cell_forward(*_copies(x, h_prev, *_gru_params(rng, D, H)))}


@watch_inputs
def gru_sequence(sub, rng):
    N, T, D, H = 3, 7, 2, 4
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    return {"h": sub.gru_forward(*_copies(x, h0, *_gru_params(rng, D, H)))}


@watch_inputs
def shapes(sub, rng):
    # Odd sizes (D != H, T = 1, N = 1) catch transposes and hard-coded axes.
    obs = {}
    for name, (N, T, D, H) in {"a": (2, 5, 3, 4), "b": (1, 1, 6, 2), "c": (3, 2, 1, 7)}.items():
        x = rng.standard_normal((N, T, D))  # (N, T, D)
        h0 = np.zeros((N, H))  # (N, H)
        c0 = np.zeros((N, H))  # (N, H)
        lp, gp = _lstm_params(rng, D, H), _gru_params(rng, D, H)
        h, c = sub.lstm_cell_forward(*_copies(x[:, 0], h0, c0, *lp))
        hs, cs = sub.lstm_forward(*_copies(x, h0, c0, *lp))
        gh = sub.gru_cell_forward(*_copies(x[:, 0], h0, *gp))
        ghs = sub.gru_forward(*_copies(x, h0, *gp))
        outs = {"lstm_cell_h": h, "lstm_cell_c": c, "lstm_h": hs, "lstm_c": cs, "gru_cell_h": gh,
                "gru_h": ghs}
        obs[name] = {k: np.array(np.shape(v)) for k, v in outs.items()}
        obs[name]["all_float"] = all(np.asarray(v).dtype.kind == "f" for v in outs.values())
    return obs


@watch_inputs
def lstm_cell_backward(sub, rng):
    N, D, H = 3, 4, 5  # all different: a transposed or swapped weight gradient cannot fit
    x = rng.standard_normal((N, D))  # (N, D)
    h_prev = rng.standard_normal((N, H))  # (N, H)
    c_prev = rng.standard_normal((N, H))  # (N, H)
    Wx, Wh, b = _lstm_params(rng, D, H)
    dh = rng.standard_normal((N, H))  # upstream gradient of h_next, (N, H)
    dc = rng.standard_normal((N, H))  # upstream gradient of c_next, (N, H)
    grads = sub.lstm_cell_backward(*_copies(dh, dc, x, h_prev, c_prev, Wx, Wh, b))
    obs = dict(zip(CELL_GRADS, grads))

    def loss():  # the scalar whose gradient the backward returns: <h_next, dh> + <c_next, dc>
        h, c = sub.lstm_cell_forward(x, h_prev, c_prev, Wx, Wh, b)
        return np.sum(np.asarray(h, dtype=float) * dh) + np.sum(np.asarray(c, dtype=float) * dc)
    for key, arr in zip(CELL_GRADS, (x, h_prev, c_prev, Wx, Wh, b)):
        obs["diag.fd." + key] = fd_diagnostic(loss, arr)
    return obs


@watch_inputs
def lstm_sequence_backward(sub, rng, T=5):
    N, D, H = 2, 3, 4  # D != H: dWx (D, 4H) and dWh (H, 4H) cannot be confused
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    c0 = rng.standard_normal((N, H)) * 0.5  # (N, H)
    Wx, Wh, b = _lstm_params(rng, D, H)
    dh = rng.standard_normal((N, T, H))  # upstream gradient of every h_t, (N, T, H)
    grads = sub.lstm_backward(*_copies(dh, x, h0, c0, Wx, Wh, b))
    obs = dict(zip(SEQ_GRADS, grads))

    def hidden():
        return sub.lstm_forward(x, h0, c0, Wx, Wh, b)[0]
    for key, arr in zip(SEQ_GRADS, (x, h0, c0, Wx, Wh, b)):
        obs["diag.fd." + key] = fd_diagnostic(hidden, arr, dh)
    return obs
