"""Reference implementation for topic 15: sinusoidal positional encoding, multi-head attention with
key-padding and causal masks, pre-LN encoder and decoder blocks, from nn.Linear and nn.LayerNorm up."""
import math

import torch
from torch import nn


def sinusoidal_positional_encoding(length, d_model, base=10000.0, dtype=torch.float32):
    # PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)); computed in float64.
    pos = torch.arange(length, dtype=torch.float64)[:, None]  # (L, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (d/2,)
    angle = pos / base ** (two_i / d_model)  # (L, d/2)
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.to(dtype)  # (L, d_model)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model must be divisible by num_heads")
        self.h, self.d_head = num_heads, d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, key_padding_mask=None, causal=False):
        b, lq, d = query.shape  # (B, Lq, d_model)
        lk = key.shape[1]
        q = self.w_q(query).view(b, lq, self.h, self.d_head).transpose(1, 2)  # (B, h, Lq, d_head)
        k = self.w_k(key).view(b, lk, self.h, self.d_head).transpose(1, 2)  # (B, h, Lk, d_head)
        v = self.w_v(value).view(b, lk, self.h, self.d_head).transpose(1, 2)  # (B, h, Lk, d_head)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)  # (B, h, Lq, Lk)
        if key_padding_mask is not None:  # (B, Lk), True = padding: never attended
            scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        if causal:  # query i sees keys j <= i
            future = torch.ones(lq, lk, dtype=torch.bool, device=scores.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v  # (B, h, Lq, d_head)
        return self.w_o(out.transpose(1, 2).reshape(b, lq, d))  # (B, Lq, d_model)


class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)

    def forward(self, x, pad_mask=None):
        h = self.norm1(x)  # pre-LN: normalise, transform, add to the unnormalised stream
        x = x + self.self_attn(h, h, h, key_padding_mask=pad_mask)
        return x + self.ff2(torch.relu(self.ff1(self.norm2(x))))  # (B, L, d_model)


class DecoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)

    def forward(self, y, memory, tgt_pad_mask=None, memory_pad_mask=None):
        h = self.norm1(y)  # (B, Lt, d_model)
        y = y + self.self_attn(h, h, h, key_padding_mask=tgt_pad_mask, causal=True)
        h = self.norm2(y)  # queries from the decoder, keys and values from the encoder's memory
        y = y + self.cross_attn(h, memory, memory, key_padding_mask=memory_pad_mask)
        return y + self.ff2(torch.relu(self.ff1(self.norm3(y))))  # (B, Lt, d_model)
