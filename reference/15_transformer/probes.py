"""Graded probes for topic 15 (Transformer). Modules get the probe's weights by parameter name
(LayerNorm weights and biases too, so that a block whose norms sit in the wrong place cannot match
by luck). Padding masks are (B, L) booleans, True = padding, with rows of different lengths; the
decoder's queries and the encoder's memory have different lengths (Lt != Ls). The grader compares
the observations with the same probe run on the reference, outside the student's process."""
import numpy as np
import torch

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.speed import cuda_available

torch.set_num_threads(1)  # stable CPU timings, and the same arithmetic on both sides


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy()


def _pad(lengths, total):
    """(B, total) bool, True at the padding positions after each row's length (lengths >= 1)."""
    return torch.arange(total)[None, :] >= torch.tensor(lengths)[:, None]


def _state(rng, module, dtype):
    """Seeded values for every parameter of the reference's layout, by name and shape."""
    state = {}
    for name, p in module.named_parameters():
        shape = tuple(p.shape)
        if name.startswith("norm"):
            base = 1.0 if name.endswith("weight") else 0.0
            val = base + 0.3 * rng.standard_normal(shape)  # LayerNorm gain and shift, not the identity
        elif name.endswith("weight"):
            val = rng.standard_normal(shape) / np.sqrt(shape[1])
        else:
            val = 0.1 * rng.standard_normal(shape)
        state[name] = torch.tensor(val, dtype=dtype)
    return state


def _layout(kind, d_model, heads, d_ff):
    """The parameter names and shapes the stub asks for (built from plain nn modules)."""
    from torch import nn

    def mha():
        m = nn.Module()
        for n in ("w_q", "w_k", "w_v", "w_o"):
            setattr(m, n, nn.Linear(d_model, d_model))
        return m

    m = nn.Module()
    m.self_attn = mha()
    if kind == "decoder":
        m.cross_attn = mha()
    for n in ("norm1", "norm2", "norm3") if kind == "decoder" else ("norm1", "norm2"):
        setattr(m, n, nn.LayerNorm(d_model))
    m.ff1, m.ff2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
    return m


def _block(sub, rng, kind, d_model, heads, d_ff, dtype=torch.float64):
    cls = sub.DecoderBlock if kind == "decoder" else sub.EncoderBlock
    m = cls(d_model, heads, d_ff).to(dtype)
    m.load_state_dict(_state(rng, _layout(kind, d_model, heads, d_ff), dtype), strict=True)
    return m


def pe_values(sub, rng):
    length = int(rng.integers(6, 12))
    pe = sub.sinusoidal_positional_encoding(length, 8)  # default base and dtype
    pe2 = sub.sinusoidal_positional_encoding(5, 6, base=100.0, dtype=torch.float64)
    long = sub.sinusoidal_positional_encoding(64, 16)
    return {"default": _np(pe), "default.dtype": str(pe.dtype), "base100": _np(pe2),
            "base100.dtype": str(pe2.dtype), "long": _np(long)}


def block_shapes(sub, rng):
    obs = {}
    enc = sub.EncoderBlock(16, 4, 24)
    obs["encoder.params"] = sorted(f"{n}:{list(p.shape)}" for n, p in enc.named_parameters())
    dec = sub.DecoderBlock(16, 4, 24)
    obs["decoder.params"] = sorted(f"{n}:{list(p.shape)}" for n, p in dec.named_parameters())
    for dt in (torch.float32, torch.float64):
        key = str(dt).replace("torch.", "")
        x = torch.tensor(rng.standard_normal((3, 7, 16)), dtype=dt)  # (B, Ls, d_model)
        y = torch.tensor(rng.standard_normal((3, 5, 16)), dtype=dt)  # (B, Lt, d_model)
        e = _block(sub, rng, "encoder", 16, 4, 24, dt)(x, _pad([7, 4, 2], 7))
        d = _block(sub, rng, "decoder", 16, 4, 24, dt)(y, x, _pad([5, 3, 1], 5), _pad([7, 4, 2], 7))
        obs[f"encoder.{key}.shape"], obs[f"encoder.{key}.dtype"] = list(e.shape), str(e.dtype)
        obs[f"decoder.{key}.shape"], obs[f"decoder.{key}.dtype"] = list(d.shape), str(d.dtype)
        pe = sub.sinusoidal_positional_encoding(9, 10, dtype=dt)
        obs[f"pe.{key}.shape"], obs[f"pe.{key}.dtype"] = list(pe.shape), str(pe.dtype)
    return obs


def attention_values(sub, rng):
    m = sub.MultiHeadAttention(12, 3).double()
    sd = {f"{n}.{p}": torch.tensor(rng.standard_normal((12, 12)) / np.sqrt(12) if p == "weight"
                                   else 0.1 * rng.standard_normal(12), dtype=torch.float64)
          for n in ("w_q", "w_k", "w_v", "w_o") for p in ("weight", "bias")}
    m.load_state_dict(sd, strict=True)
    q = _t(rng.standard_normal((2, 4, 12)))  # (B, Lq, d_model)
    kv = _t(rng.standard_normal((2, 6, 12)))  # (B, Lk, d_model)
    x = _t(rng.standard_normal((2, 6, 12)))
    keep = [t.clone() for t in (q, kv, x)]
    with torch.no_grad():
        obs = {"cross": _np(m(q, kv, kv)),
               "cross_padded": _np(m(q, kv, kv, key_padding_mask=_pad([6, 3], 6))),
               "causal": _np(m(x, x, x, causal=True)),
               "causal_padded": _np(m(x, x, x, key_padding_mask=_pad([4, 6], 6), causal=True))}
    obs["inputs_unchanged"] = all(torch.equal(a, b) for a, b in zip((q, kv, x), keep))
    return obs


def encoder_values(sub, rng):
    x = _t(rng.standard_normal((3, 7, 16)))  # (B, L, d_model)
    keep = x.clone()
    pad = _pad([7, 5, 2], 7)
    pad_keep = pad.clone()
    with torch.no_grad():
        m = _block(sub, rng, "encoder", 16, 4, 24)
        obs = {"plain": _np(m(x)), "padded": _np(m(x, pad))}
        obs["one_head"] = _np(_block(sub, rng, "encoder", 16, 1, 8)(x, pad))
    obs["inputs_unchanged"] = bool(torch.equal(x, keep) and torch.equal(pad, pad_keep))
    return obs


def decoder_values(sub, rng):
    y = _t(rng.standard_normal((3, 5, 16)))  # (B, Lt, d_model)
    mem = _t(rng.standard_normal((3, 8, 16)))  # (B, Ls, d_model): Ls != Lt
    keep = (y.clone(), mem.clone())
    tgt_pad, mem_pad = _pad([5, 3, 1], 5), _pad([8, 2, 6], 8)
    with torch.no_grad():
        m = _block(sub, rng, "decoder", 16, 4, 24)
        obs = {"plain": _np(m(y, mem)), "padded": _np(m(y, mem, tgt_pad, mem_pad)),
               "memory_padded": _np(m(y, mem, memory_pad_mask=mem_pad))}
        # Causality: changing the last target position leaves every earlier position unchanged.
        y2 = y.clone()
        y2[:, -1] += 1.0
        obs["changed_last"] = _np(m(y2, mem, tgt_pad, mem_pad)[:, :-1])
    obs["inputs_unchanged"] = bool(torch.equal(y, keep[0]) and torch.equal(mem, keep[1]))
    return obs


def _grads(m, inputs):
    obs = {name: _np(t.grad) if t.grad is not None else np.zeros(1) for name, t in inputs.items()}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs


def encoder_grad(sub, rng):
    m = _block(sub, rng, "encoder", 8, 2, 12)
    x0 = rng.standard_normal((2, 5, 8))
    x = _t(x0, grad=True)  # (B, L, d_model)
    g = rng.standard_normal((2, 5, 8))  # upstream gradient
    pad = _pad([5, 3], 5)
    (m(x, pad) * _t(g)).sum().backward()
    obs = _grads(m, {"x": x})

    def forward_x():
        with torch.no_grad():
            return _np(m(_t(x0), pad))

    obs["diag.fd.x"] = fd_diagnostic(forward_x, x0, g)  # the student's own forward, perturbed in x
    return obs


def decoder_grad(sub, rng):
    m = _block(sub, rng, "decoder", 8, 2, 12)
    y = _t(rng.standard_normal((2, 4, 8)), grad=True)  # (B, Lt, d_model)
    mem = _t(rng.standard_normal((2, 6, 8)), grad=True)  # (B, Ls, d_model)
    g = _t(rng.standard_normal((2, 4, 8)))
    (m(y, mem, _pad([4, 2], 4), _pad([6, 3], 6)) * g).sum().backward()
    return _grads(m, {"y": y, "memory": mem})


def _speed(sub, rng, *, device, d_model, heads, d_ff):
    """Set-up (untimed): the student's encoder block with seeded weights. Each timed call gets a
    fresh x (B, L, d_model) from the parent (the first row unpadded, the others padded to half
    length) and runs forward and backward (a per-head loop also multiplies the autograd graph);
    the output and x's gradient go back to be checked."""
    torch.manual_seed(int(rng.integers(2**31)))
    m = _block(sub, rng, "encoder", d_model, heads, d_ff, dtype=torch.float32).to(device)

    def step(x):
        xt = torch.tensor(x, dtype=torch.float32, device=device).requires_grad_()  # (B, L, d_model)
        b, length = xt.shape[0], xt.shape[1]
        pad = _pad([length] + [length // 2] * (b - 1), length).to(device)
        m.zero_grad(set_to_none=True)
        out = m(xt, pad)  # (B, L, d_model)
        out.sum().backward()
        return {"out": out, "grad_x": xt.grad}

    # The thread count does not change what is measured (CPU time of every thread); one thread
    # keeps both sides' arithmetic alike.
    torch.set_num_threads(1)
    return step


def encoder_speed(sub, rng, d_model=128, heads=32, d_ff=128):
    return _speed(sub, rng, device="cpu", d_model=d_model, heads=heads, d_ff=d_ff)


def encoder_speed_cuda(sub, rng, d_model=512, heads=32, d_ff=2048):
    if not cuda_available():
        raise RuntimeError("grader error: a CUDA test was started on a worker without CUDA")
    return _speed(sub, rng, device="cuda", d_model=d_model, heads=heads, d_ff=d_ff)
