"""Reference implementation for topic 22: scaled dot-product attention and multi-head attention."""
import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None, causal=False):
    # q (..., Lq, d_k), k (..., Lk, d_k), v (..., Lk, d_v)
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., Lq, Lk)
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))  # False = may not attend
        else:
            scores = scores + mask.to(scores.dtype)  # additive: 0 keeps, -inf removes
    if causal:
        lq, lk = scores.shape[-2], scores.shape[-1]
        # Query i sees keys j <= i (aligned at the start when Lq == Lk).
        keep = torch.ones(lq, lk, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk), each row sums to 1
    return weights @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model must be divisible by num_heads")
        self.d_model, self.num_heads, self.d_head = d_model, num_heads, d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def split_heads(self, x):
        b, n, _ = x.shape  # (B, L, d_model)
        return x.view(b, n, self.num_heads, self.d_head).transpose(1, 2)  # (B, h, L, d_head)

    def merge_heads(self, x):
        b, _, n, _ = x.shape  # (B, h, L, d_head)
        return x.transpose(1, 2).reshape(b, n, self.d_model)  # (B, L, d_model)

    def forward(self, query, key, value, mask=None, causal=False):
        q = self.split_heads(self.w_q(query))  # (B, h, Lq, d_head)
        k = self.split_heads(self.w_k(key))  # (B, h, Lk, d_head)
        v = self.split_heads(self.w_v(value))  # (B, h, Lk, d_head)
        out, _ = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
        return self.w_o(self.merge_heads(out))  # (B, Lq, d_model)
