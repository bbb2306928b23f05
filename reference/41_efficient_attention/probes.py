"""Graded probes for topic 41 (efficient attention): linear attention with the elu+1 feature map
(a custom autograd.Function, also checked with torch.autograd.gradcheck in float64), and tiled
attention with an online softmax, checked for values, gradients, peak memory and speed.

Peak memory and speed are measured by the parent, from outside the sandbox (the kernel's accounting
of the whole sandbox around each call; see autograder.checks.speed), not here: the probes only set
up the call. (GPU memory is not in the kernel's accounting: the CUDA memory test stays not run
until it is measured from outside too.)"""
import math

import numpy as np
import torch

from autograder.checks.speed import cuda_available

torch.set_num_threads(1)  # stable CPU timings, and the same arithmetic on both sides


def _t(a, dtype=torch.float64, grad=False, device="cpu"):
    return torch.tensor(np.array(a), dtype=dtype, device=device, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy()


def _qkv(rng, shape_q, shape_k, d_v):
    q = rng.standard_normal(shape_q)  # (..., Lq, d)
    k = rng.standard_normal(shape_k)  # (..., Lk, d)
    v = rng.standard_normal((*shape_k[:-1], d_v))  # (..., Lk, d_v)
    return q, k, v


def feature_map_values(sub, rng):
    x = np.concatenate([rng.standard_normal(20) * 2, [-50.0, -300.0, 0.0, 30.0, 900.0]])  # (25,)
    y = sub.elu_feature_map(_t(x))
    y32 = sub.elu_feature_map(_t(x, dtype=torch.float32))
    return {"phi": _np(y), "float32.phi": _np(y32), "float32.dtype": str(y32.dtype),
            "positive": bool((y > 0).all())}


def feature_map_gradcheck(sub, rng):
    x = _t(rng.standard_normal((3, 4)) * 2, grad=True)  # (3, 4), float64 for gradcheck
    g = _t(rng.standard_normal((3, 4)))
    # gradcheck compares the Function's own backward with finite differences of its forward.
    ok = torch.autograd.gradcheck(sub.EluPlusOne.apply, (x,), eps=1e-6, atol=1e-6, rtol=1e-4,
                                  raise_exception=False)
    y = sub.EluPlusOne.apply(x)
    (gx,) = torch.autograd.grad((y * g).sum(), x)
    return {"autograd_gradcheck": bool(ok), "grad": _np(gx)}


def linear_attention_values(sub, rng):
    q, k, v = _qkv(rng, (2, 3, 9, 4), (2, 3, 9, 4), 5)
    out = sub.linear_attention(_t(q), _t(k), _t(v))
    out_c = sub.linear_attention(_t(q), _t(k), _t(v), causal=True)
    q2, k2, v2 = _qkv(rng, (4, 6), (11, 6), 3)  # non-causal: Lq != Lk, no batch dimensions
    cross = sub.linear_attention(_t(q2), _t(k2), _t(v2))
    # eps is documented (added to the normaliser): at 0.5 it changes the output visibly.
    out_eps = sub.linear_attention(_t(q), _t(k), _t(v), eps=0.5)
    return {"out": _np(out), "causal": _np(out_c), "cross": _np(cross), "eps0.5": _np(out_eps)}


def linear_attention_grad(sub, rng):
    q, k, v = _qkv(rng, (2, 6, 3), (2, 6, 3), 2)
    g = rng.standard_normal((2, 6, 2))  # upstream gradient, (B, L, d_v)
    obs = {}
    for causal in (False, True):
        tq, tk, tv = _t(q, grad=True), _t(k, grad=True), _t(v, grad=True)
        (sub.linear_attention(tq, tk, tv, causal=causal) * _t(g)).sum().backward()
        tag = "causal" if causal else "full"
        obs.update({f"{tag}.q": _np(tq.grad), f"{tag}.k": _np(tk.grad), f"{tag}.v": _np(tv.grad)})
    return obs


def flash_values(sub, rng):
    obs = {}
    # Block sizes that do not divide the lengths, a single block, and blocks of one row.
    for tag, shape_q, shape_k, block, causal in [
            ("ragged", (2, 2, 37, 8), (2, 2, 37, 8), 8, False),
            ("ragged_causal", (2, 2, 37, 8), (2, 2, 37, 8), 8, True),
            ("cross", (3, 10, 4), (3, 23, 4), 4, False),
            ("one_block", (1, 12, 5), (1, 12, 5), 64, True),
            ("tiny_blocks", (2, 7, 3), (2, 7, 3), 1, True)]:
        q, k, v = _qkv(rng, shape_q, shape_k, 6)
        q = q * 3  # sharper softmax: the running maximum changes often between blocks
        obs[tag] = _np(sub.flash_attention(_t(q), _t(k), _t(v), block_size=block, causal=causal))
    # The default block_size, and the promised "same dtype as q" (float32 in, float32 out).
    q, k, v = _qkv(rng, (2, 70, 4), (2, 70, 4), 3)
    obs["default_block"] = _np(sub.flash_attention(_t(q), _t(k), _t(v), causal=True))
    out32 = sub.flash_attention(_t(q, dtype=torch.float32), _t(k, dtype=torch.float32),
                                _t(v, dtype=torch.float32), block_size=16)
    obs["float32.dtype"] = str(getattr(out32, "dtype", type(out32).__name__))
    return obs


def flash_grad(sub, rng):
    q, k, v = _qkv(rng, (2, 13, 4), (2, 13, 4), 3)
    g = rng.standard_normal((2, 13, 3))
    tq, tk, tv = _t(q, grad=True), _t(k, grad=True), _t(v, grad=True)
    (sub.flash_attention(tq, tk, tv, block_size=4, causal=True) * _t(g)).sum().backward()
    return {"q": _np(tq.grad), "k": _np(tk.grad), "v": _np(tv.grad)}


def _flash(sub, *, device, block, causal=False):
    """Timed by the parent: q, k, v (H, N, d) arrive fresh for every call; the output goes back
    and is checked against the reference's. For the memory test the parent reads the sandbox's
    peak memory from the kernel around the call (see autograder.sandbox.driver)."""

    def call(q, k, v):
        qt, kt, vt = (torch.tensor(a, dtype=torch.float32, device=device) for a in (q, k, v))
        with torch.no_grad():
            return sub.flash_attention(qt, kt, vt, block_size=block, causal=causal)

    torch.set_num_threads(1)
    return call


def flash_memory(sub, rng, block=128):
    return _flash(sub, device="cpu", block=block)


def flash_memory_cuda(sub, rng, block=128):
    if not cuda_available():
        raise RuntimeError("grader error: a CUDA test was started on a worker without CUDA")
    return _flash(sub, device="cuda", block=block)


def flash_speed(sub, rng, block=128):
    return _flash(sub, device="cpu", block=block)


def flash_speed_cuda(sub, rng, block=256):
    if not cuda_available():
        raise RuntimeError("grader error: a CUDA test was started on a worker without CUDA")
    return _flash(sub, device="cuda", block=block)
