"""Reference implementation for topic 17: LSTM and GRU cells, sequence unrolls, LSTM backward.

LSTM: Wx (D, 4H), Wh (H, 4H), b (4H,); gate blocks along the last axis in the order [i, f, o, g].
GRU (PyTorch convention): Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,); blocks [r, z, n];
n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n)), h' = (1 - z) * n + z * h."""
import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    return i, f, o, g


def lstm_cell_forward(x, h_prev, c_prev, Wx, Wh, b):
    i, f, o, g = _lstm_gates(x, h_prev, Wx, Wh, b)
    c_next = f * c_prev + i * g  # (N, H)
    return o * np.tanh(c_next), c_next


def lstm_cell_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    i, f, o, g = _lstm_gates(x, h_prev, Wx, Wh, b)
    c_next = f * c_prev + i * g
    tc = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1.0 - tc ** 2)  # c_next reaches the loss directly and via h_next
    da = np.concatenate([dc * g * i * (1 - i),  # through the sigmoid gates: s' = s (1 - s)
                         dc * c_prev * f * (1 - f),
                         dh_next * tc * o * (1 - o),
                         dc * i * (1 - g ** 2)], axis=1)  # (N, 4H)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, c0, Wx, Wh, b):
    N, T, _ = x.shape
    dtype = np.result_type(x, h0, c0, Wx, Wh, b)
    hs = np.empty((N, T, h0.shape[1]), dtype=dtype)
    cs = np.empty_like(hs)
    h, c = h0, c0
    for t in range(T):
        h, c = lstm_cell_forward(x[:, t], h, c, Wx, Wh, b)
        hs[:, t], cs[:, t] = h, c
    return hs, cs


def lstm_backward(dh, x, h0, c0, Wx, Wh, b):
    """dh: (N, T, H) gradients of every hidden state (none on the cell states)."""
    N, T, _ = x.shape
    hs, cs = lstm_forward(x, h0, c0, Wx, Wh, b)
    dx = np.zeros(x.shape, dtype=hs.dtype)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_carry, dc_carry = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(T)):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        c_prev = c0 if t == 0 else cs[:, t - 1]
        dx[:, t], dh_carry, dc_carry, dWxt, dWht, dbt = lstm_cell_backward(
            dh[:, t] + dh_carry, dc_carry, x[:, t], h_prev, c_prev, Wx, Wh, b)
        dWx += dWxt
        dWh += dWht
        db += dbt
    return dx, dh_carry, dc_carry, dWx, dWh, db


def gru_cell_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax = x @ Wx + bx  # (N, 3H)
    ah = h_prev @ Wh + bh  # (N, 3H)
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1.0 - z) * n + z * h_prev


def gru_forward(x, h0, Wx, Wh, bx, bh):
    N, T, _ = x.shape
    hs = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, bx, bh))
    h = h0
    for t in range(T):
        h = gru_cell_forward(x[:, t], h, Wx, Wh, bx, bh)
        hs[:, t] = h
    return hs
