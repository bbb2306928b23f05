"""Graded probes for topic 11. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import time

import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs

# (N, C, H, W, F, KH, KW, stride, pad): square and non-square kernels, stride 1 and 2, padding
# 0, 1 and 2, and sizes where the last window does not reach the border (floor in the output size).
CONV_CASES = [
    (2, 3, 7, 7, 4, 3, 3, 1, 0),
    (2, 3, 8, 6, 5, 3, 3, 1, 1),
    (1, 2, 9, 9, 3, 3, 3, 2, 1),
    (3, 1, 6, 7, 2, 2, 3, 2, 2),
    (2, 4, 5, 5, 3, 5, 5, 1, 2),
]


def _conv_inputs(rng, case):
    n, c, h, w, f, kh, kw, stride, pad = case
    x = rng.standard_normal((n, c, h, w))  # (N, C, H, W)
    wt = rng.standard_normal((f, c, kh, kw))  # (F, C, KH, KW)
    b = rng.standard_normal(f)  # (F,)
    return x, wt, b, stride, pad


@watch_inputs
def im2col_values(sub, rng):
    obs = {}
    for i, (n, c, h, w, _, kh, kw, stride, pad) in enumerate(CONV_CASES[:4]):
        x = rng.standard_normal((n, c, h, w))  # (N, C, H, W)
        obs[f"im2col.{i}"] = sub.im2col(x.copy(), kh, kw, stride, pad)  # (N*OH*OW, C*KH*KW)
        oh, ow = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
        cols = rng.standard_normal((n * oh * ow, c * kh * kw))
        obs[f"col2im.{i}"] = sub.col2im(cols.copy(), (n, c, h, w), kh, kw, stride, pad)  # (N, C, H, W)
    return obs


@watch_inputs
def conv_forward_values(sub, rng):
    obs = {}
    for i, case in enumerate(CONV_CASES):
        x, wt, b, stride, pad = _conv_inputs(rng, case)
        obs[f"case{i}"] = sub.conv2d_forward(x.copy(), wt.copy(), b.copy(), stride=stride, pad=pad)
    return obs


@watch_inputs
def conv_shapes(sub, rng):
    # Shapes only (and that the results are floating-point arrays): odd sizes, a 1x1 kernel, a
    # kernel as large as the padded input, float32 inputs.
    obs = {}
    for i, (n, c, h, w, f, kh, kw, stride, pad) in enumerate(
            [(1, 1, 5, 5, 1, 1, 1, 1, 0), (2, 3, 11, 4, 6, 3, 3, 3, 0), (1, 2, 3, 3, 2, 5, 5, 1, 1),
             (2, 2, 10, 10, 3, 4, 2, 2, 1)]):
        x = rng.standard_normal((n, c, h, w)).astype(np.float32)
        wt = rng.standard_normal((f, c, kh, kw)).astype(np.float32)
        b = rng.standard_normal(f).astype(np.float32)
        out = np.asarray(sub.conv2d_forward(x.copy(), wt.copy(), b.copy(), stride=stride, pad=pad))
        dx, dw, db = sub.conv2d_backward(np.ones_like(out), x.copy(), wt.copy(), stride=stride, pad=pad)
        for key, arr in (("out", out), ("dx", dx), ("dw", dw), ("db", db)):
            arr = np.asarray(arr)
            obs[f"{key}{i}.shape"] = np.array(arr.shape)
            obs[f"{key}{i}.floating"] = bool(arr.dtype.kind == "f")
    return obs


def _fast(fn, budget_s=2e-3):
    try:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0 < budget_s
    except Exception:  # noqa: BLE001 - a broken forward simply gets no diagnostic
        return False


@watch_inputs
def conv_backward(sub, rng):
    obs = {}
    for i, case in enumerate(CONV_CASES[1:4]):
        x, wt, b, stride, pad = _conv_inputs(rng, case)
        out = sub.conv2d_forward(x.copy(), wt.copy(), b.copy(), stride=stride, pad=pad)
        g = rng.standard_normal(np.shape(out))  # upstream gradient, (N, F, OH, OW)
        dx, dw, db = sub.conv2d_backward(g.copy(), x.copy(), wt.copy(), stride=stride, pad=pad)
        obs[f"dx{i}"], obs[f"dw{i}"], obs[f"db{i}"] = dx, dw, db
        fwd = lambda: sub.conv2d_forward(x, wt, b, stride=stride, pad=pad)  # noqa: E731
        if _fast(fwd):
            # Finite differences call the forward twice per input element: only for a fast one,
            # so that a correct but slow forward does not lose these points to the time limit.
            obs[f"diag.fd.dx{i}"] = fd_diagnostic(fwd, x, g)
            obs[f"diag.fd.dw{i}"] = fd_diagnostic(fwd, wt, g)
            obs[f"diag.fd.db{i}"] = fd_diagnostic(fwd, b, g)
    return {k: v for k, v in obs.items() if v is not None}


@watch_inputs
def pool_forward(sub, rng):
    x = rng.standard_normal((2, 3, 8, 7))  # (N, C, H, W); W=7: the last column is left out at stride 2
    return {"max_2x2": sub.maxpool_forward(x.copy(), 2, 2), "avg_2x2": sub.avgpool_forward(x.copy(), 2, 2),
            "max_3s1": sub.maxpool_forward(x.copy(), 3, 1), "avg_3s2": sub.avgpool_forward(x.copy(), 3, 2)}


@watch_inputs
def pool_backward(sub, rng):
    # Continuous random inputs: no ties inside a window, so the max is unique.
    x = rng.standard_normal((2, 2, 7, 8))  # (N, C, H, W)
    obs = {}
    for name, size, stride in (("2x2", 2, 2), ("3s1", 3, 1), ("3s2", 3, 2)):
        out = sub.maxpool_forward(x.copy(), size, stride)
        g = rng.standard_normal(np.shape(out))  # (N, C, OH, OW)
        obs[f"max_{name}"] = sub.maxpool_backward(g.copy(), x.copy(), size, stride)
        obs[f"diag.fd.max_{name}"] = fd_diagnostic(lambda: sub.maxpool_forward(x, size, stride), x, g)
        obs[f"avg_{name}"] = sub.avgpool_backward(g.copy(), x.copy(), size, stride)
        obs[f"diag.fd.avg_{name}"] = fd_diagnostic(lambda: sub.avgpool_forward(x, size, stride), x, g)
    return {k: v for k, v in obs.items() if v is not None}


def conv_speed(sub, rng):
    """Timed by the parent (manifest [tests.timing]): x (N, C, H, W), w (F, C, KH, KW) and b (F,)
    arrive fresh for every call; the output goes back and is checked against the reference's."""
    return lambda x, w, b: sub.conv2d_forward(x, w, b, stride=1, pad=1)
