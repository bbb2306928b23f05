"""Graded probes for topic 22 (attention). Each builds seeded inputs (and, for the module, seeded
weights loaded by parameter name), runs the code under test, and returns outputs and gradients; the
grader compares them with the same probe run on the reference, outside the student's process."""
import numpy as np
import torch

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.speed import cuda_available

torch.set_num_threads(1)  # stable CPU timings, and the same arithmetic on both sides


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy()


def _qkv(rng, batch, lq, lk, d_k, d_v):
    q = rng.standard_normal((*batch, lq, d_k))  # (..., Lq, d_k)
    k = rng.standard_normal((*batch, lk, d_k))  # (..., Lk, d_k)
    v = rng.standard_normal((*batch, lk, d_v))  # (..., Lk, d_v)
    return q, k, v


def _bool_mask(rng, shape):
    keep = rng.random(shape) < 0.6  # True = may attend
    keep[..., 0] = True  # every query keeps at least one key, so no row is all -inf
    return keep


def sdpa_values(sub, rng):
    q, k, v = _qkv(rng, (2, 3), 5, 7, 8, 6)
    out, w = sub.scaled_dot_product_attention(_t(q), _t(k), _t(v))
    q1, k1, v1 = _qkv(rng, (), 4, 4, 16, 3)  # no batch dimensions at all
    out1, w1 = sub.scaled_dot_product_attention(_t(q1), _t(k1), _t(v1))
    return {"out": _np(out), "weights": _np(w), "unbatched.out": _np(out1), "unbatched.weights": _np(w1)}


def sdpa_masks(sub, rng):
    q, k, v = _qkv(rng, (2,), 5, 6, 4, 3)
    keep = _bool_mask(rng, (2, 5, 6))  # (B, Lq, Lk)
    out_b, w_b = sub.scaled_dot_product_attention(_t(q), _t(k), _t(v), mask=torch.tensor(keep))
    # Additive mask: finite biases plus -inf where attention is removed; broadcast over queries.
    add = rng.standard_normal((2, 1, 6))  # (B, 1, Lk)
    add[:, :, 2] = -np.inf
    out_a, w_a = sub.scaled_dot_product_attention(_t(q), _t(k), _t(v), mask=_t(add))
    return {"bool.out": _np(out_b), "bool.weights": _np(w_b),
            "additive.out": _np(out_a), "additive.weights": _np(w_a)}


def sdpa_causal(sub, rng):
    q, k, v = _qkv(rng, (2, 2), 6, 6, 4, 5)
    out, w = sub.scaled_dot_product_attention(_t(q), _t(k), _t(v), causal=True)
    keep = _bool_mask(rng, (6, 6))
    out2, w2 = sub.scaled_dot_product_attention(_t(q), _t(k), _t(v), mask=torch.tensor(keep),
                                                causal=True)  # both: a key must pass both
    obs = {"out": _np(out), "weights": _np(w), "with_mask.out": _np(out2), "with_mask.weights": _np(w2)}
    # Lq != Lk (both ways): query i sees keys j <= i; a mask built from one length (Lk x Lk, or
    # a square Lq x Lq) fails or misaligns here.
    for lq, lk in ((4, 7), (7, 4)):
        q2, k2, v2 = _qkv(rng, (2,), lq, lk, 4, 3)
        o, ww = sub.scaled_dot_product_attention(_t(q2), _t(k2), _t(v2), causal=True)
        obs[f"lq{lq}_lk{lk}.out"], obs[f"lq{lq}_lk{lk}.weights"] = _np(o), _np(ww)
    return obs


def sdpa_grad(sub, rng):
    q, k, v = _qkv(rng, (2,), 4, 5, 3, 2)
    g = rng.standard_normal((2, 4, 2))  # upstream gradient of the output, (B, Lq, d_v)
    keep = _bool_mask(rng, (4, 5))
    tq, tk, tv = _t(q, grad=True), _t(k, grad=True), _t(v, grad=True)
    out, _ = sub.scaled_dot_product_attention(tq, tk, tv, mask=torch.tensor(keep))
    (out * _t(g)).sum().backward()
    obs = {"q": _np(tq.grad), "k": _np(tk.grad), "v": _np(tv.grad)}

    def forward_q():
        return _np(sub.scaled_dot_product_attention(_t(q), _t(k), _t(v), mask=torch.tensor(keep))[0])

    obs["diag.fd.q"] = fd_diagnostic(forward_q, q, g)  # the student's own forward, perturbed in q
    return obs


def _weights(rng, d_model, bias=True):
    sd = {}
    for name in ("w_q", "w_k", "w_v", "w_o"):
        sd[f"{name}.weight"] = rng.standard_normal((d_model, d_model)) / np.sqrt(d_model)
        if bias:
            sd[f"{name}.bias"] = rng.standard_normal(d_model) * 0.1
    return sd


def _mha(sub, rng, d_model, heads, dtype=torch.float64, bias=True):
    """The student's module with the probe's weights, loaded by parameter name."""
    m = sub.MultiHeadAttention(d_model, heads, bias=bias).to(dtype)
    state = {k: torch.tensor(v, dtype=dtype) for k, v in _weights(rng, d_model, bias).items()}
    m.load_state_dict(state, strict=True)
    return m


def mha_shapes(sub, rng):
    obs = {}
    m = sub.MultiHeadAttention(24, 4)
    params = dict(m.named_parameters())
    for name in ("w_q", "w_k", "w_v", "w_o"):
        for part in ("weight", "bias"):
            p = params.get(f"{name}.{part}")
            obs[f"param.{name}.{part}"] = list(p.shape) if p is not None else [-1]
    nb = sub.MultiHeadAttention(24, 4, bias=False)
    obs["no_bias.count"] = len(list(nb.parameters()))
    for dt in (torch.float32, torch.float64):
        mm = _mha(sub, rng, 24, 4, dtype=dt)
        x = torch.tensor(rng.standard_normal((3, 5, 24)), dtype=dt)  # (B, Lq, d_model)
        mem = torch.tensor(rng.standard_normal((3, 7, 24)), dtype=dt)  # (B, Lk, d_model)
        y = mm(x, mem, mem)  # cross-attention: Lq = 5, Lk = 7
        key = str(dt).replace("torch.", "")
        obs[f"{key}.shape"] = list(y.shape)
        obs[f"{key}.dtype"] = str(y.dtype)
    return obs


def mha_values(sub, rng):
    m = _mha(sub, rng, 32, 4)
    x = _t(rng.standard_normal((2, 6, 32)))  # (B, L, d_model)
    mem = _t(rng.standard_normal((2, 9, 32)))  # (B, Lk, d_model)
    keep = torch.tensor(_bool_mask(rng, (2, 1, 1, 9)))  # (B, 1, 1, Lk): per-example key padding
    with torch.no_grad():
        return {"self_causal": _np(m(x, x, x, causal=True)),
                "cross_masked": _np(m(x, mem, mem, mask=keep)),
                "one_head": _np(_mha(sub, rng, 8, 1)(x[..., :8], x[..., :8], x[..., :8]))}


def mha_grad(sub, rng):
    m = _mha(sub, rng, 16, 4)
    x = _t(rng.standard_normal((2, 5, 16)), grad=True)  # (B, L, d_model)
    g = _t(rng.standard_normal((2, 5, 16)))  # upstream gradient
    (m(x, x, x, causal=True) * g).sum().backward()
    obs = {"input": _np(x.grad)}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs


def _speed(sub, rng, *, device, d_model, heads):
    """Set-up (untimed): the student's module with seeded weights. Each timed call gets a fresh
    x (B, L, d_model) from the parent and runs forward and backward (a per-head loop also
    multiplies the autograd graph); the output and x's gradient go back to be checked."""
    torch.manual_seed(int(rng.integers(2**31)))
    m = _mha(sub, rng, d_model, heads, dtype=torch.float32).to(device)

    def step(x):
        xt = torch.tensor(x, dtype=torch.float32, device=device).requires_grad_()  # (B, L, d_model)
        m.zero_grad(set_to_none=True)
        out = m(xt, xt, xt, causal=True)  # (B, L, d_model)
        out.sum().backward()
        return {"out": out, "grad_x": xt.grad}

    # The thread count does not change what is measured (CPU time of every thread); one thread
    # keeps both sides' arithmetic alike.
    torch.set_num_threads(1)
    return step


def mha_speed(sub, rng, *, d_model, heads):
    """Sizes from the manifest's args (many narrow heads: see the reason written there)."""
    return _speed(sub, rng, device="cpu", d_model=d_model, heads=heads)


def mha_speed_cuda(sub, rng, d_model=512, heads=32):
    if not cuda_available():
        raise RuntimeError("grader error: a CUDA test was started on a worker without CUDA")
    return _speed(sub, rng, device="cuda", d_model=d_model, heads=heads)
