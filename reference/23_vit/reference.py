"""Reference implementation for topic 23: Vision Transformer (patch embedding, class token,
learned position embedding, pre-LN encoder blocks, classifier head)."""
import math

import torch
from torch import nn
from torch.nn import functional as F


def patchify(x, patch_size):
    b, c, h, w = x.shape
    p = patch_size
    x = x.reshape(b, c, h // p, p, w // p, p)  # (B, C, H/p, p, W/p, p)
    x = x.permute(0, 2, 4, 1, 3, 5)  # (B, H/p, W/p, C, p, p): row-major grid, (C, p, p) inside
    return x.reshape(b, (h // p) * (w // p), c * p * p)  # (B, N, C p p)


def patch_embed_linear(x, weight, bias, patch_size):
    # weight (D, C, p, p) is a Conv2d weight: flattened, it matches patchify's (C, p, p) order.
    return patchify(x, patch_size) @ weight.reshape(weight.shape[0], -1).T + bias  # (B, N, D)


class PatchEmbed(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Conv2d(in_channels, dim, patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # (B, D, H/p, W/p) -> (B, N, D)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)  # each (B, N, D), in the order q, k, v
        q, k, v = (t.reshape(b, n, self.heads, d // self.heads).transpose(1, 2) for t in (q, k, v))
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1)
        return self.proj((att @ v).transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))  # pre-LN: normalise inside the residual branch
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self, image_size, patch_size, in_channels, num_classes, dim, depth, heads, mlp_dim):
        super().__init__()
        n = (image_size[0] // patch_size) * (image_size[1] // patch_size)
        self.patch_embed = PatchEmbed(in_channels, patch_size, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def features(self, x):
        t = self.patch_embed(x)  # (B, N, D)
        cls = self.cls_token.expand(t.shape[0], -1, -1)  # (B, 1, D)
        t = torch.cat([cls, t], dim=1) + self.pos_embed  # class token first: (B, N + 1, D)
        for block in self.blocks:
            t = block(t)
        return self.norm(t)

    def forward(self, x):
        return self.head(self.features(x)[:, 0])  # (B, num_classes), from the class token
