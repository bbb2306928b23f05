"""Reference implementation for topic 39: cosine similarity, InfoNCE and NT-Xent (SimCLR) losses."""
import torch


def cosine_similarity_matrix(a, b, eps=1e-8):
    # a (N, D), b (M, D) -> (N, M); a zero row has similarity 0 with everything
    a_n = a / a.norm(dim=1, keepdim=True).clamp_min(eps)  # (N, D), unit rows
    b_n = b / b.norm(dim=1, keepdim=True).clamp_min(eps)  # (M, D)
    return a_n @ b_n.T  # (N, M)


def info_nce(query, keys, temperature=0.1):
    # query (N, D), keys (M, D) with M >= N: the positive of query i is key i
    n = query.shape[0]
    logits = cosine_similarity_matrix(query, keys) / temperature  # (N, M)
    idx = torch.arange(n, device=query.device)
    # -log softmax at the positive, with logsumexp so that exp never overflows
    return (torch.logsumexp(logits, dim=1) - logits[idx, idx]).mean()  # ()


def nt_xent(z1, z2, temperature=0.5):
    # z1, z2 (N, D): two views; row i of z1 and row i of z2 are a positive pair
    n = z1.shape[0]
    z = torch.cat([z1, z2], dim=0)  # (2N, D)
    sim = cosine_similarity_matrix(z, z) / temperature  # (2N, 2N)
    self_pair = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(self_pair, float("-inf"))  # a sample is not its own negative
    idx = torch.arange(2 * n, device=z.device)
    pos = (idx + n) % (2 * n)  # i <-> i + N
    return (torch.logsumexp(sim, dim=1) - sim[idx, pos]).mean()  # ()
