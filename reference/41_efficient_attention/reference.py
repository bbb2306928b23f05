"""Reference implementation for topic 41: linear attention and tiled (flash-style) attention."""
import math

import torch
import torch.nn.functional as F


class EluPlusOne(torch.autograd.Function):
    """phi(x) = elu(x) + 1: positive everywhere, with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x + 1.0, torch.exp(torch.clamp(x, max=0.0)))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * torch.where(x > 0, torch.ones_like(x), torch.exp(torch.clamp(x, max=0.0)))


def elu_feature_map(x):
    return EluPlusOne.apply(x)


def linear_attention(q, k, v, causal=False, eps=1e-6):
    # q (..., L, d), k (..., L, d), v (..., L, d_v)
    fq, fk = elu_feature_map(q), elu_feature_map(k)  # positive features, same shapes
    if not causal:
        kv = fk.transpose(-2, -1) @ v  # (..., d, d_v): summed over all keys once
        z = fk.sum(dim=-2)  # (..., d)
        num = fq @ kv  # (..., L, d_v)
        den = (fq * z.unsqueeze(-2)).sum(-1, keepdim=True)  # (..., L, 1)
        return num / (den + eps)
    # Causal: prefix sums over positions; position i only uses keys j <= i.
    kv = torch.cumsum(fk.unsqueeze(-1) * v.unsqueeze(-2), dim=-3)  # (..., L, d, d_v)
    z = torch.cumsum(fk, dim=-2)  # (..., L, d)
    num = (fq.unsqueeze(-2) @ kv).squeeze(-2)  # (..., L, d_v)
    den = (fq * z).sum(-1, keepdim=True)  # (..., L, 1)
    return num / (den + eps)


def flash_attention(q, k, v, block_size=64, causal=False):
    # q (..., Lq, d), k (..., Lk, d), v (..., Lk, d_v); never forms the (Lq, Lk) score matrix.
    scale = 1.0 / math.sqrt(q.shape[-1])
    lq, lk = q.shape[-2], k.shape[-2]
    out = torch.empty(*q.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)  # (..., Lq, d_v)
    for i in range(0, lq, block_size):
        qi = q[..., i:i + block_size, :] * scale  # (..., bq, d)
        bq = qi.shape[-2]
        m = torch.full((*qi.shape[:-1], 1), float("-inf"), dtype=q.dtype, device=q.device)  # running max
        l = torch.zeros_like(m)  # running sum of exp(s - m), (..., bq, 1)
        acc = torch.zeros(*qi.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)  # (..., bq, d_v)
        stop = min(lk, i + bq) if causal else lk  # causal: later key blocks are fully masked
        for j in range(0, stop, block_size):
            kj, vj = k[..., j:j + block_size, :], v[..., j:j + block_size, :]  # (..., bk, d)
            s = qi @ kj.transpose(-2, -1)  # (..., bq, bk): one tile of scores
            if causal and j + kj.shape[-2] > i:
                rows = torch.arange(i, i + bq, device=q.device).unsqueeze(-1)
                cols = torch.arange(j, j + kj.shape[-2], device=q.device)
                s = s.masked_fill(cols > rows, float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
            p = torch.exp(s - m_new)  # (..., bq, bk)
            correction = torch.exp(m - m_new)  # rescales what was summed under the old max
            l = l * correction + p.sum(dim=-1, keepdim=True)
            acc = acc * correction + p @ vj
            m = m_new
        out[..., i:i + bq, :] = acc / l
    return out
