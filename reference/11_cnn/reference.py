"""Reference implementation for topic 11: convolution and pooling layers, vectorised in NumPy."""
import numpy as np


def conv_output_size(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def im2col(x, kh, kw, stride=1, pad=0):
    n, c, h, w = x.shape
    oh, ow = conv_output_size(h, kh, stride, pad), conv_output_size(w, kw, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    # One strided slice per kernel offset: KH*KW copies, each over the whole batch.
    for p in range(kh):
        for q in range(kw):
            cols[:, :, p, q] = xp[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)


def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    n, c, h, w = x_shape
    oh, ow = conv_output_size(h, kh, stride, pad), conv_output_size(w, kw, stride, pad)
    cols = cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)  # (N, C, KH, KW, OH, OW)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            xp[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride] += cols[:, :, p, q]
    return xp[:, :, pad:pad + h, pad:pad + w]


def conv2d_forward(x, w, b, stride=1, pad=0):
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = conv_output_size(h, kh, stride, pad), conv_output_size(wd, kw, stride, pad)
    cols = im2col(x, kh, kw, stride, pad)  # (N*OH*OW, C*KH*KW)
    out = cols @ w.reshape(f, -1).T + b  # (N*OH*OW, F)
    return out.reshape(n, oh, ow, f).transpose(0, 3, 1, 2)


def conv2d_backward(dout, x, w, stride=1, pad=0):
    f, _, kh, kw = w.shape
    cols = im2col(x, kh, kw, stride, pad)  # (N*OH*OW, C*KH*KW)
    d = dout.transpose(0, 2, 3, 1).reshape(-1, f)  # (N*OH*OW, F)
    dw = (d.T @ cols).reshape(w.shape)
    db = d.sum(axis=0)
    dx = col2im(d @ w.reshape(f, -1), x.shape, kh, kw, stride, pad)
    return dx, dw, db


def _windows(x, size, stride):
    n, c, h, w = x.shape
    oh, ow = conv_output_size(h, size, stride, 0), conv_output_size(w, size, stride, 0)
    # (size*size, N, C, OH, OW): entry p*size+q is the window element at row p, column q.
    return np.stack([x[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]
                     for p in range(size) for q in range(size)]), oh, ow


def maxpool_forward(x, size=2, stride=2):
    win, _, _ = _windows(x, size, stride)
    return win.max(axis=0)


def maxpool_backward(dout, x, size=2, stride=2):
    win, oh, ow = _windows(x, size, stride)
    first = win.argmax(axis=0)  # the first maximum in row-major window order gets the gradient
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    for p in range(size):
        for q in range(size):
            dx[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride] += dout * (first == p * size + q)
    return dx


def avgpool_forward(x, size=2, stride=2):
    win, _, _ = _windows(x, size, stride)
    return win.mean(axis=0)


def avgpool_backward(dout, x, size=2, stride=2):
    _, _, h, w = x.shape
    oh, ow = conv_output_size(h, size, stride, 0), conv_output_size(w, size, stride, 0)
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    share = dout / (size * size)
    for p in range(size):
        for q in range(size):
            dx[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride] += share
    return dx
