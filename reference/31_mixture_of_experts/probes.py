"""Graded probes for topic 31 (mixture of experts). Routing is checked for k = 1, 2, 3 (gates and
expert indices), the load-balancing loss and its gradient, and the layer with the probe's weights
loaded by parameter name, with and without a capacity small enough that assignments are dropped.
The grader compares the observations with the same probe run on the reference, outside the
student's process."""
import numpy as np
import torch

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.speed import cuda_available

torch.set_num_threads(1)  # stable CPU timings, and the same arithmetic on both sides


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy()


def _logits(rng, t, e):
    return rng.standard_normal((t, e)) * 1.5  # continuous: no ties among the top k


def routing_values(sub, rng):
    obs = {}
    logits = _t(_logits(rng, 9, 6))  # (T, E)
    keep = logits.clone()
    for k in (1, 2, 3):
        gates, idx = sub.top_k_routing(logits, k)
        obs[f"k{k}.gates"], obs[f"k{k}.indices"] = _np(gates), idx.detach().cpu().numpy()
    g32, i32 = sub.top_k_routing(logits.float(), 2)
    obs["float32.gates"], obs["float32.dtype"] = _np(g32), str(g32.dtype)
    obs["indices.dtype"] = str(i32.dtype)
    obs["inputs_unchanged"] = bool(torch.equal(logits, keep))
    return obs


def routing_grad(sub, rng):
    x0 = _logits(rng, 7, 5)
    g = rng.standard_normal((7, 2))  # upstream gradient of the gates, (T, k)
    x = _t(x0, grad=True)
    gates, _ = sub.top_k_routing(x, 2)
    (gates * _t(g)).sum().backward()

    def forward():
        return _np(sub.top_k_routing(_t(x0), 2)[0])

    return {"logits": _np(x.grad), "diag.fd.logits": fd_diagnostic(forward, x0, g)}


def _routing(rng, t, e, k):
    logits = _logits(rng, t, e)
    idx = np.argsort(-logits, axis=1)[:, :k]  # the top-k experts, best first
    return logits, torch.tensor(idx, dtype=torch.int64)


def balance_values(sub, rng):
    obs = {}
    for tag, (t, e, k) in {"k1": (10, 4, 1), "k2": (13, 6, 2), "k3": (8, 5, 3)}.items():
        logits, idx = _routing(rng, t, e, k)
        loss = sub.load_balancing_loss(_t(logits), idx, e)
        obs[tag] = _np(loss)
        obs[f"{tag}.shape"] = list(loss.shape)
    logits = np.zeros((6, 3))  # uniform router, perfectly balanced assignments: loss 1
    obs["balanced"] = _np(sub.load_balancing_loss(_t(logits), torch.tensor([[0], [1], [2]] * 2), 3))
    # An expert that gets no token at all (expert 4 of 5).
    logits, _ = _routing(rng, 6, 5, 2)
    idx = torch.tensor([[0, 1], [1, 2], [3, 0], [2, 3], [0, 2], [1, 3]])
    obs["unused_expert"] = _np(sub.load_balancing_loss(_t(logits), idx, 5))
    return obs


def balance_grad(sub, rng):
    logits, idx = _routing(rng, 11, 4, 2)
    x = _t(logits, grad=True)
    sub.load_balancing_loss(x, idx, 4).backward()
    return {"logits": _np(x.grad)}


def _moe_state(rng, d, h, e):
    return {"router.weight": rng.standard_normal((e, d)),
            "w1": rng.standard_normal((e, d, h)) / np.sqrt(d), "b1": 0.1 * rng.standard_normal((e, h)),
            "w2": rng.standard_normal((e, h, d)) / np.sqrt(h), "b2": 0.1 * rng.standard_normal((e, d))}


def _moe(sub, rng, d, h, e, k, capacity_factor=None, dtype=torch.float64):
    """The student's layer with the probe's weights, loaded by parameter name."""
    m = sub.MoELayer(d, h, e, k=k, capacity_factor=capacity_factor).to(dtype)
    m.load_state_dict({n: torch.tensor(v, dtype=dtype) for n, v in _moe_state(rng, d, h, e).items()},
                      strict=True)
    return m


def moe_values(sub, rng):
    x = _t(rng.standard_normal((2, 7, 6)))  # (B, L, d_model): 14 tokens
    keep = x.clone()
    obs = {}
    with torch.no_grad():
        for tag, k, cf in [("k1", 1, None), ("k2", 2, None), ("k2.capacity", 2, 0.5),
                           ("k1.capacity", 1, 0.75), ("k2.capacity_odd", 2, 0.3)]:
            y, aux = _moe(sub, rng, 6, 10, 4, k, cf)(x)
            obs[f"{tag}.y"], obs[f"{tag}.aux"] = _np(y), _np(aux)
        # float32 module and input: dtype and shape kept, 2-D input (T, d_model)
        y32, aux32 = _moe(sub, rng, 6, 10, 4, 2, 0.5, dtype=torch.float32)(x[0].float())
        obs["float32.y"], obs["float32.dtype"], obs["float32.shape"] = _np(y32), str(y32.dtype), list(y32.shape)
    obs["inputs_unchanged"] = bool(torch.equal(x, keep))
    return obs


def moe_grad(sub, rng):
    m = _moe(sub, rng, 5, 8, 4, 2, capacity_factor=0.6)  # capacity 3 of 10 tokens x 2 / 4: drops
    x = _t(rng.standard_normal((10, 5)), grad=True)  # (T, d_model)
    g = _t(rng.standard_normal((10, 5)))  # upstream gradient of y
    y, aux = m(x)
    ((y * g).sum() + 0.7 * aux).backward()
    obs = {"x": _np(x.grad)}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs


def _speed(sub, rng, *, device, d_model, d_hidden, experts, k):
    """Set-up (untimed): the student's layer with seeded weights and capacity factor 1.25. Each
    timed call gets fresh tokens x (T, d_model) from the parent and runs forward and backward, the
    auxiliary loss included; y, aux and x's gradient go back to be checked."""
    torch.manual_seed(int(rng.integers(2**31)))
    m = _moe(sub, rng, d_model, d_hidden, experts, k, capacity_factor=1.25,
             dtype=torch.float32).to(device)

    def step(x):
        xt = torch.tensor(x, dtype=torch.float32, device=device).requires_grad_()  # (T, d_model)
        m.zero_grad(set_to_none=True)
        y, aux = m(xt)
        (y.sum() + aux).backward()
        return {"y": y, "aux": aux, "grad_x": xt.grad}

    # The thread count does not change what is measured (CPU time of every thread); one thread
    # keeps both sides' arithmetic alike.
    torch.set_num_threads(1)
    return step


def moe_speed(sub, rng, d_model=32, d_hidden=64, experts=8, k=2):
    return _speed(sub, rng, device="cpu", d_model=d_model, d_hidden=d_hidden, experts=experts, k=k)


def moe_speed_cuda(sub, rng, d_model=512, d_hidden=2048, experts=8, k=2):
    if not cuda_available():
        raise RuntimeError("grader error: a CUDA test was started on a worker without CUDA")
    return _speed(sub, rng, device="cuda", d_model=d_model, d_hidden=d_hidden, experts=experts, k=k)
