"""Graded probes for topic 41 (efficient attention): linear attention with the elu+1 feature map
(a custom autograd.Function, also checked with torch.autograd.gradcheck in float64), and tiled
attention with an online softmax, checked for values, gradients, peak memory and speed.

Peak memory on a CPU: the growth of the process's peak resident set size while the call runs.
Before the call the probe writes "5" to /proc/self/clear_refs, which resets the kernel's high-water
mark (VmHWM in /proc/self/status) to the current RSS; after the call VmHWM minus that RSS is what
the call needed at its worst moment. It sees every allocation that touches memory (torch, NumPy,
anything), unlike torch.profiler's memory events, which on CPU torch 2.13 did not give a usable peak.
On a GPU the probe uses torch.cuda.max_memory_allocated after reset_peak_memory_stats."""
import math

import numpy as np
import torch

from autograder.checks.speed import cuda_available, time_auto

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
    return {"out": _np(out), "causal": _np(out_c), "cross": _np(cross)}


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
    return obs


def flash_grad(sub, rng):
    q, k, v = _qkv(rng, (2, 13, 4), (2, 13, 4), 3)
    g = rng.standard_normal((2, 13, 3))
    tq, tk, tv = _t(q, grad=True), _t(k, grad=True), _t(v, grad=True)
    (sub.flash_attention(tq, tk, tv, block_size=4, causal=True) * _t(g)).sum().backward()
    return {"q": _np(tq.grad), "k": _np(tk.grad), "v": _np(tv.grad)}


def _hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise OSError("VmHWM not found")


def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise OSError("VmRSS not found")


def peak_memory_bytes(fn, device="cpu"):
    """Extra memory ``fn()`` needed at its peak, in bytes (see the module docstring)."""
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        result = fn()
        torch.cuda.synchronize()
        return result, torch.cuda.max_memory_allocated() - base, "cuda.max_memory_allocated"
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS to the current RSS
    base = _rss_kb()
    result = fn()
    return result, (_hwm_kb() - base) * 1024, "rss_high_water_mark"


def _memory(sub, rng, *, device, length, dim, block):
    q, k, v = (torch.tensor(rng.standard_normal((1, length, dim)), dtype=torch.float32, device=device)
               for _ in range(3))  # (1, N, d) each; N x N float32 scores would be N*N*4 bytes
    with torch.no_grad():
        sub.flash_attention(q[:, :2 * block], k[:, :2 * block], v[:, :2 * block], block_size=block)
        out, peak, method = peak_memory_bytes(
            lambda: sub.flash_attention(q, k, v, block_size=block, causal=False), device)
    rows = np.sort(rng.choice(length, 64, replace=False))  # a sample of rows to check values
    picked = out[0, torch.as_tensor(rows, device=out.device)]  # (64, d)
    return {"peak_bytes": float(peak), "full_matrix_bytes": float(length * length * 4),
            "method": method, "rows": _np(picked)}


def flash_memory(sub, rng, length=4096, dim=32, block=128):
    return _memory(sub, rng, device="cpu", length=length, dim=dim, block=block)


def flash_memory_cuda(sub, rng, length=16384, dim=64, block=128):
    if not cuda_available():
        return {"not_available": True}
    return _memory(sub, rng, device="cuda", length=length, dim=dim, block=block)


def _speed(sub, rng, *, device, heads, length, dim, block, warmup, repeats):
    q, k, v = (torch.tensor(rng.standard_normal((heads, length, dim)), dtype=torch.float32,
                            device=device) for _ in range(3))  # (H, N, d)

    def call():
        with torch.no_grad():
            sub.flash_attention(q, k, v, block_size=block, causal=False)

    # The code under test may have changed the thread count; one thread keeps all work on the clock.
    torch.set_num_threads(1)
    # CPU time on a CPU (other processes on the host do not inflate it); CUDA events on a GPU.
    return time_auto(call, warmup=warmup, repeats=repeats, device=device, cpu_clock="cpu")


def flash_speed(sub, rng, heads=4, length=256, dim=16, block=128, warmup=3, repeats=25):
    return _speed(sub, rng, device="cpu", heads=heads, length=length, dim=dim, block=block,
                  warmup=warmup, repeats=repeats)


def flash_speed_cuda(sub, rng, heads=16, length=4096, dim=64, block=256, warmup=3, repeats=10):
    if not cuda_available():
        return {"not_available": True}
    return _speed(sub, rng, device="cuda", heads=heads, length=length, dim=dim, block=block,
                  warmup=warmup, repeats=repeats)
