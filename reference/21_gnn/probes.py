"""Graded probes for topic 21 (GNN). Each builds a seeded graph that has what the stub promises to
handle: directed edges (j -> i without i -> j), a repeated edge (multi-edge), a node with no incoming
edge and a node with no edge at all. Modules get the probe's weights by parameter name; the grader
compares outputs and gradients with the same probe run on the reference, outside the student's
process."""
import numpy as np
import torch

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.speed import cuda_available

torch.set_num_threads(1)  # stable CPU timings, and the same arithmetic on both sides


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy()


def _graph(rng, n, e, isolated=1):
    """Random directed edges among the first n - isolated nodes (no self-loops, node 0 a source
    only), the first edge repeated (a multi-edge), and the last `isolated` nodes without any edge.
    (2, E + 1) int64, row 0 = source, row 1 = target, in a random order."""
    m = n - isolated  # nodes that have edges; m >= 3
    src = rng.integers(0, m, size=e)
    dst = rng.integers(1, m, size=e)  # node 0 receives nothing
    loop = src == dst
    dst[loop] = np.where(src[loop] + 1 < m, src[loop] + 1, 1)  # no self-loops
    ei = np.stack([src, dst])
    ei = np.concatenate([ei, ei[:, :1]], axis=1)  # a multi-edge: the first edge twice
    return torch.tensor(ei[:, rng.permutation(ei.shape[1])], dtype=torch.int64)


def adjacency_values(sub, rng):
    ei = _graph(rng, 8, 14)
    keep = ei.clone()
    a = sub.normalized_adjacency(ei, 8)  # default: self-loops, float32
    b = sub.normalized_adjacency(ei, 8, add_self_loops=False, dtype=torch.float64)
    ei2 = _graph(rng, 13, 40, isolated=2)
    c = sub.normalized_adjacency(ei2, 13, dtype=torch.float64)
    return {"default": _np(a), "default.dtype": str(a.dtype), "no_loops": _np(b),
            "no_loops.dtype": str(b.dtype), "larger": _np(c),
            "inputs_unchanged": bool(torch.equal(ei, keep))}


def _gcn_weights(rng, f_in, f_out, bias=True):
    sd = {"linear.weight": rng.standard_normal((f_out, f_in)) / np.sqrt(f_in)}
    if bias:
        sd["bias"] = rng.standard_normal(f_out) * 0.5
    return sd


def _gcn(sub, rng, f_in, f_out, dtype=torch.float64, bias=True, add_self_loops=True):
    """The student's layer with the probe's weights, loaded by parameter name."""
    m = sub.GCNLayer(f_in, f_out, bias=bias, add_self_loops=add_self_loops).to(dtype)
    state = {k: torch.tensor(v, dtype=dtype) for k, v in _gcn_weights(rng, f_in, f_out, bias).items()}
    m.load_state_dict(state, strict=True)
    return m


def gcn_shapes(sub, rng):
    obs = {}
    m = sub.GCNLayer(5, 3)
    params = {n: list(p.shape) for n, p in m.named_parameters()}
    obs["params"] = sorted(f"{n}:{params[n]}" for n in params)
    obs["no_bias.params"] = sorted(n for n, _ in sub.GCNLayer(5, 3, bias=False).named_parameters())
    ei = _graph(rng, 9, 12, isolated=3)  # num_nodes comes from x: the last 3 nodes have no edge
    for dt in (torch.float32, torch.float64):
        key = str(dt).replace("torch.", "")
        mm = _gcn(sub, rng, 5, 3, dtype=dt)
        y = mm(torch.tensor(rng.standard_normal((9, 5)), dtype=dt), ei)  # (N, F_in) -> (N, F_out)
        obs[f"gcn.{key}.shape"] = list(y.shape)
        obs[f"gcn.{key}.dtype"] = str(y.dtype)
        a = sub.normalized_adjacency(ei, 9, dtype=dt)
        obs[f"adjacency.{key}.shape"] = list(a.shape)
        obs[f"adjacency.{key}.dtype"] = str(a.dtype)
        for reduce in ("sum", "mean", "max"):
            z = sub.aggregate(torch.tensor(rng.standard_normal((9, 4)), dtype=dt), ei, reduce=reduce)
            obs[f"aggregate.{reduce}.{key}.shape"] = list(z.shape)
            obs[f"aggregate.{reduce}.{key}.dtype"] = str(z.dtype)
    return obs


def gcn_values(sub, rng):
    ei = _graph(rng, 10, 18, isolated=2)
    x = _t(rng.standard_normal((10, 6)))  # (N, F_in)
    keep_x, keep_ei = x.clone(), ei.clone()
    with torch.no_grad():
        out = _gcn(sub, rng, 6, 4)(x, ei)
        no_bias = _gcn(sub, rng, 6, 4, bias=False)(x, ei)
        no_loops = _gcn(sub, rng, 6, 4, add_self_loops=False)(x, ei)
        wide = _gcn(sub, rng, 6, 9)(x, ei)  # F_out > F_in
    return {"out": _np(out), "no_bias": _np(no_bias), "no_self_loops": _np(no_loops),
            "wide": _np(wide),
            "inputs_unchanged": bool(torch.equal(x, keep_x) and torch.equal(ei, keep_ei))}


def gcn_grad(sub, rng):
    ei = _graph(rng, 9, 16)
    m = _gcn(sub, rng, 5, 3)
    x = _t(rng.standard_normal((9, 5)), grad=True)  # (N, F_in)
    g = _t(rng.standard_normal((9, 3)))  # upstream gradient, (N, F_out)
    (m(x, ei) * g).sum().backward()
    obs = {"input": _np(x.grad)}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs


def aggregate_values(sub, rng):
    ei = _graph(rng, 9, 20, isolated=2)
    x = _t(rng.standard_normal((9, 3)) - 1.0)  # mostly negative: a max that starts from 0 is wrong
    keep_x, keep_ei = x.clone(), ei.clone()
    obs = {}
    for reduce in ("sum", "mean", "max"):
        obs[reduce] = _np(sub.aggregate(x, ei, reduce=reduce))
    obs["default"] = _np(sub.aggregate(x, ei))  # reduce="sum" unless told otherwise
    x32 = x.float()
    for reduce in ("sum", "mean", "max"):
        y = sub.aggregate(x32, ei, reduce=reduce)
        obs[f"float32.{reduce}"] = _np(y)
        obs[f"float32.{reduce}.dtype"] = str(y.dtype)
    obs["inputs_unchanged"] = bool(torch.equal(x, keep_x) and torch.equal(ei, keep_ei))
    return obs


def aggregate_grad(sub, rng):
    ei = _graph(rng, 8, 18)
    x0 = rng.standard_normal((8, 3))
    g = rng.standard_normal((8, 3))  # upstream gradient, (N, F)
    obs = {}
    for reduce in ("sum", "mean", "max"):
        x = _t(x0, grad=True)
        (sub.aggregate(x, ei, reduce=reduce) * _t(g)).sum().backward()
        obs[reduce] = _np(x.grad)

    def forward_mean():
        return _np(sub.aggregate(_t(x0), ei, reduce="mean"))

    obs["diag.fd.mean"] = fd_diagnostic(forward_mean, x0, g)  # the student's own forward, perturbed
    return obs


def _speed(sub, rng, *, device, nodes, edges):
    """Set-up (untimed): a seeded edge list. Each timed call gets a fresh x (N, F) from the parent
    and runs sum, mean and max forward and backward; the outputs and x's gradient go back to be
    checked against the reference's."""
    src = rng.integers(0, nodes, size=edges)
    dst = rng.integers(0, nodes, size=edges)
    ei = torch.tensor(np.stack([src, dst]), dtype=torch.int64, device=device)  # (2, E)

    def step(x):
        xt = torch.tensor(x, dtype=torch.float32, device=device).requires_grad_()  # (N, F)
        outs = {r: sub.aggregate(xt, ei, reduce=r) for r in ("sum", "mean", "max")}
        sum(o.sum() for o in outs.values()).backward()
        return {**outs, "grad_x": xt.grad}

    # The thread count does not change what is measured (CPU time of every thread); one thread
    # keeps both sides' arithmetic alike.
    torch.set_num_threads(1)
    return step


def aggregate_speed(sub, rng, nodes=400, edges=2000):
    return _speed(sub, rng, device="cpu", nodes=nodes, edges=edges)


def aggregate_speed_cuda(sub, rng, nodes=50000, edges=500000):
    if not cuda_available():
        raise RuntimeError("grader error: a CUDA test was started on a worker without CUDA")
    return _speed(sub, rng, device="cuda", nodes=nodes, edges=edges)
