"""Reference implementation for topic 31: top-k routing, the load-balancing loss, and a mixture-of-
experts layer with capacity (dropped assignments contribute nothing)."""
import math

import torch
from torch import nn


def top_k_routing(logits, k):
    # logits (T, E) -> gates (T, k): softmax over the k selected logits; indices (T, k), best first.
    top, indices = torch.topk(logits, k, dim=-1)  # sorted, largest first
    return torch.softmax(top, dim=-1), indices


def load_balancing_loss(logits, indices, num_experts):
    # E * sum_e f_e P_e: f_e = share of the T*k assignments that go to expert e (no gradient),
    # P_e = mean over tokens of the softmax over all E logits (the router's probabilities).
    t, k = indices.shape
    counts = torch.zeros(num_experts, dtype=logits.dtype, device=logits.device)
    counts = counts.index_add(0, indices.reshape(-1), torch.ones(t * k, dtype=logits.dtype,
                                                                  device=logits.device))
    f = counts / (t * k)  # (E,)
    p = torch.softmax(logits, dim=-1).mean(dim=0)  # (E,)
    return num_experts * (f * p).sum()


def expert_positions(indices, num_experts):
    # Slot-major order: every token's first choice (in token order), then every second choice, ...
    t, k = indices.shape
    flat = indices.t().reshape(-1)  # (k*T,), entry s*T + t
    onehot = torch.nn.functional.one_hot(flat, num_experts)  # (k*T, E)
    pos = (onehot.cumsum(dim=0) - 1).gather(1, flat[:, None]).squeeze(1)  # (k*T,) place in its expert's queue
    return pos.view(k, t).t()  # (T, k)


class MoELayer(nn.Module):
    def __init__(self, d_model, d_hidden, num_experts, k=2, capacity_factor=None):
        super().__init__()
        self.num_experts, self.k, self.capacity_factor = num_experts, k, capacity_factor
        self.router = nn.Linear(d_model, num_experts, bias=False)
        self.w1 = nn.Parameter(torch.randn(num_experts, d_model, d_hidden) / math.sqrt(d_model))
        self.b1 = nn.Parameter(torch.zeros(num_experts, d_hidden))
        self.w2 = nn.Parameter(torch.randn(num_experts, d_hidden, d_model) / math.sqrt(d_hidden))
        self.b2 = nn.Parameter(torch.zeros(num_experts, d_model))

    def capacity(self, num_tokens):
        if self.capacity_factor is None:
            return None
        return math.ceil(self.capacity_factor * num_tokens * self.k / self.num_experts)

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1])  # (T, d_model)
        logits = self.router(x)  # (T, E)
        gates, indices = top_k_routing(logits, self.k)  # (T, k), (T, k)
        keep = torch.ones_like(indices, dtype=torch.bool)
        cap = self.capacity(x.shape[0])
        if cap is not None:
            keep = expert_positions(indices, self.num_experts) < cap  # (T, k)
        y = torch.zeros_like(x)
        for e in range(self.num_experts):  # a loop over experts, vectorised over their tokens
            tok, slot = torch.nonzero((indices == e) & keep, as_tuple=True)
            if tok.numel() == 0:
                continue
            h = torch.relu(x[tok] @ self.w1[e] + self.b1[e]) @ self.w2[e] + self.b2[e]  # (n_e, d_model)
            y = y.index_add(0, tok, gates[tok, slot, None] * h)
        return y.reshape(shape), load_balancing_loss(logits, indices, self.num_experts)
