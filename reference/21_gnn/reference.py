"""Reference implementation for topic 21: GCN normalisation, a GCN layer, sum/mean/max message passing."""
import torch
from torch import nn

REDUCTIONS = ("sum", "mean", "max")


def normalized_adjacency(edge_index, num_nodes, add_self_loops=True, dtype=torch.float32):
    # edge_index (2, E): row 0 = source j, row 1 = target i; a message flows j -> i.
    src, dst = edge_index[0], edge_index[1]
    adj = torch.zeros(num_nodes, num_nodes, dtype=dtype, device=edge_index.device)
    ones = torch.ones(src.shape[0], dtype=dtype, device=edge_index.device)
    adj = adj.index_put((dst, src), ones, accumulate=True)  # (N, N), A[i, j] = number of edges j -> i
    if add_self_loops:
        adj = adj + torch.eye(num_nodes, dtype=dtype, device=edge_index.device)
    deg = adj.sum(dim=1)  # (N,) in-degree, self-loop included
    inv_sqrt = deg.pow(-0.5).masked_fill(deg == 0, 0.0)  # isolated node without self-loop: 0, not inf
    return inv_sqrt[:, None] * adj * inv_sqrt[None, :]  # (N, N) D^-1/2 A D^-1/2


class GCNLayer(nn.Module):
    def __init__(self, in_features, out_features, bias=True, add_self_loops=True):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)  # weight (out, in)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_features))
        else:
            self.register_parameter("bias", None)
        self.add_self_loops = add_self_loops

    def forward(self, x, edge_index):
        # x (N, F_in) -> (N, F_out): A_hat X W^T + b, the bias added after propagation.
        a_hat = normalized_adjacency(edge_index, x.shape[0], self.add_self_loops, dtype=x.dtype)
        out = a_hat @ self.linear(x)  # (N, F_out)
        if self.bias is not None:
            out = out + self.bias
        return out


def aggregate(x, edge_index, reduce="sum"):
    # x (N, F); messages x[source] are reduced at their target. Nodes without incoming edges get 0.
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be one of {REDUCTIONS}")
    src, dst = edge_index[0], edge_index[1]
    n, f = x.shape
    msg = x.index_select(0, src)  # (E, F)
    if reduce == "max":
        index = dst[:, None].expand(-1, f)  # (E, F)
        return x.new_zeros(n, f).scatter_reduce(0, index, msg, "amax", include_self=False)
    out = x.new_zeros(n, f).index_add(0, dst, msg)  # (N, F) sums
    if reduce == "mean":
        count = torch.bincount(dst, minlength=n).clamp(min=1).to(x.dtype)  # (N,)
        out = out / count[:, None]
    return out
