"""Reference implementation for topic 12: a vanilla RNN, forward and backpropagation through time,
and gradient clipping by global norm. Shapes: x (N, D), h (N, H), Wx (D, H), Wh (H, H), b (H,)."""
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)  # (N, H)


def rnn_step_backward(dh_next, x, h_prev, Wx, Wh, b):
    h_next = rnn_step_forward(x, h_prev, Wx, Wh, b)
    dpre = dh_next * (1.0 - h_next ** 2)  # (N, H): back through tanh
    return dpre @ Wx.T, dpre @ Wh.T, x.T @ dpre, h_prev.T @ dpre, dpre.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    hs = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, b))
    h = h0
    for t in range(T):
        h = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        hs[:, t] = h
    return hs  # (N, T, H)


def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    hs = rnn_forward(x, h0, Wx, Wh, b)
    dx = np.zeros_like(x, dtype=hs.dtype)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        # h_t feeds both the loss at step t and the next step: add the two gradients.
        dxt, dh_carry, dWxt, dWht, dbt = rnn_step_backward(dh[:, t] + dh_carry, x[:, t], h_prev,
                                                           Wx, Wh, b)
        dx[:, t] = dxt
        dWx += dWxt
        dWh += dWht
        db += dbt
    return dx, dh_carry, dWx, dWh, db


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / total if total > max_norm else 1.0
    return [g * scale for g in grads], total
