"""Graded probes for topic 39 (contrastive losses). Each builds seeded embeddings, runs the code
under test and returns losses, similarities and gradients; the grader compares them with the same
probe run on the reference, outside the student's process."""
import numpy as np
import torch

from autograder.checks.gradients import fd_diagnostic

torch.set_num_threads(1)


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy()


def _scalar(x):
    """A loss as a float; whatever the student returned (a tensor or a number)."""
    return float(x.detach().double()) if isinstance(x, torch.Tensor) else float(x)


def _pair(rng, n, d, noise=1.0, scale=1.0, m=None):
    """n anchors and their positives (anchor + noise), plus m - n extra negatives when m > n."""
    q = rng.standard_normal((n, d)) * scale  # (N, D)
    k = q + noise * scale * rng.standard_normal((n, d))  # (N, D): positives, row-aligned
    if m is not None and m > n:
        k = np.concatenate([k, rng.standard_normal((m - n, d)) * scale])  # (M, D)
    return q, k


def cosine_values(sub, rng):
    a = rng.standard_normal((5, 7))  # (N, D)
    a[1] *= 1e3  # the norm, not the raw dot product, decides the similarity
    a[2] *= 1e-3
    a[4] = 0.0  # a zero row: similarity 0 with everything, not NaN
    b = rng.standard_normal((9, 7))  # (M, D), M != N
    obs = {"float64": _np(sub.cosine_similarity_matrix(_t(a), _t(b)))}  # (5, 9)
    s32 = sub.cosine_similarity_matrix(_t(a, torch.float32), _t(b, torch.float32))
    obs["float32"] = _np(s32)
    obs["float32.dtype"] = str(s32.dtype)
    x = rng.standard_normal((4, 3))
    obs["self"] = _np(sub.cosine_similarity_matrix(_t(x), _t(x)))  # (4, 4), ones on the diagonal
    return obs


def info_nce_values(sub, rng):
    obs = {}
    # (N, M, D, temperature or None for the default, noise): square, extra negatives, N = 1
    cases = {"default": (6, 6, 8, None, 1.0), "extra_negatives": (5, 11, 3, 0.5, 1.0),
             "aligned": (7, 7, 16, 1.0, 0.2), "one_query": (1, 4, 5, 0.25, 1.0),
             "low_temperature": (9, 9, 4, 0.03, 0.7)}
    for name, (n, m, d, tau, noise) in cases.items():
        q, k = _pair(rng, n, d, noise=noise, m=m)
        kw = {} if tau is None else {"temperature": tau}
        obs[name] = _scalar(sub.info_nce(_t(q), _t(k), **kw))
    return obs


def info_nce_stability(sub, rng):
    # Temperature 0.01: logits reach 1/0.01 = 100 and exp(100) overflows float32 (max ~3.4e38).
    obs = {}
    for i, scale in enumerate((1.0, 1e3)):
        q, k = _pair(rng, 8, 16, noise=0.3, scale=scale)
        loss = sub.info_nce(_t(q, torch.float32), _t(k, torch.float32), temperature=0.01)
        obs[f"tau_0.01.{i}"] = _scalar(loss)
    q, k = _pair(rng, 6, 16, noise=2.0, m=10)
    obs["tau_0.02.negatives"] = _scalar(sub.info_nce(_t(q, torch.float32), _t(k, torch.float32),
                                                     temperature=0.02))
    return obs


def info_nce_grad(sub, rng):
    q, k = _pair(rng, 5, 6, noise=1.0, m=8)
    tq, tk = _t(q, grad=True), _t(k, grad=True)
    sub.info_nce(tq, tk, temperature=0.2).backward()
    obs = {"query": _np(tq.grad), "keys": _np(tk.grad)}

    def loss():
        return _scalar(sub.info_nce(_t(q), _t(k), temperature=0.2))

    obs["diag.fd.query"] = fd_diagnostic(loss, q)  # the student's own loss, perturbed in q
    return obs


def nt_xent_values(sub, rng):
    obs = {}
    cases = {"default": (6, 8, None, 1.0), "low_temperature": (5, 3, 0.1, 1.0),
             "aligned": (7, 16, 0.2, 0.1), "one_pair": (1, 4, 0.5, 1.0), "odd": (3, 5, 1.0, 2.0)}
    for name, (n, d, tau, noise) in cases.items():
        z1, z2 = _pair(rng, n, d, noise=noise)
        kw = {} if tau is None else {"temperature": tau}
        obs[name] = _scalar(sub.nt_xent(_t(z1), _t(z2), **kw))
    # The views in swapped order give the same loss; a positive placed at i (not i + N) does not.
    z1, z2 = _pair(rng, 4, 6, noise=0.5)
    obs["swapped"] = _scalar(sub.nt_xent(_t(z2), _t(z1), temperature=0.3))
    return obs


def nt_xent_stability(sub, rng):
    obs = {}
    for i, scale in enumerate((1.0, 1e3)):
        z1, z2 = _pair(rng, 8, 16, noise=0.3, scale=scale)
        obs[f"tau_0.01.{i}"] = _scalar(sub.nt_xent(_t(z1, torch.float32), _t(z2, torch.float32),
                                                   temperature=0.01))
    z1, z2 = _pair(rng, 6, 16, noise=2.0)
    obs["tau_0.02"] = _scalar(sub.nt_xent(_t(z1, torch.float32), _t(z2, torch.float32),
                                          temperature=0.02))
    return obs


def nt_xent_grad(sub, rng):
    z1, z2 = _pair(rng, 5, 6, noise=1.0)
    t1, t2 = _t(z1, grad=True), _t(z2, grad=True)
    sub.nt_xent(t1, t2, temperature=0.3).backward()
    obs = {"z1": _np(t1.grad), "z2": _np(t2.grad)}

    def loss():
        return _scalar(sub.nt_xent(_t(z1), _t(z2), temperature=0.3))

    obs["diag.fd.z1"] = fd_diagnostic(loss, z1)
    return obs


def half_precision(sub, rng):
    # float16 tops out at 65504: exp(1 / 0.05) = exp(20) is already inf there.
    obs = {}
    q, k = _pair(rng, 8, 16, noise=1.0, m=12)
    loss = sub.info_nce(_t(q, torch.float16), _t(k, torch.float16), temperature=0.05)
    obs["info_nce"] = _scalar(loss)
    obs["info_nce.dtype"] = str(loss.dtype) if isinstance(loss, torch.Tensor) else type(loss).__name__
    z1, z2 = _pair(rng, 8, 16, noise=1.0)
    loss = sub.nt_xent(_t(z1, torch.float16), _t(z2, torch.float16), temperature=0.05)
    obs["nt_xent"] = _scalar(loss)
    obs["nt_xent.dtype"] = str(loss.dtype) if isinstance(loss, torch.Tensor) else type(loss).__name__
    return obs


def _describe(out):
    if not isinstance(out, torch.Tensor):
        return {"type": type(out).__name__}
    return {"type": "Tensor", "ndim": out.dim(), "dtype": str(out.dtype),
            "requires_grad": bool(out.requires_grad)}


def contracts(sub, rng):
    """Every function leaves its inputs alone and returns a tensor in the inputs' dtype; the losses
    are 0-dim tensors still attached to the graph (not Python floats)."""
    obs = {}
    a = _t(rng.standard_normal((4, 6)), torch.float32, grad=True)
    b = _t(rng.standard_normal((5, 6)), torch.float32, grad=True)
    before = (a.detach().clone(), b.detach().clone())
    calls = {"cosine": lambda: sub.cosine_similarity_matrix(a, b),
             "info_nce": lambda: sub.info_nce(a, b, temperature=0.3),
             "nt_xent": lambda: sub.nt_xent(a, b[:4], temperature=0.3)}
    for name, call in calls.items():
        obs[name] = _describe(call())
    # Without autograd an in-place normalisation would go unnoticed by torch: check the data.
    x, y = _t(rng.standard_normal((4, 6))), _t(rng.standard_normal((4, 6)))
    keep = (x.clone(), y.clone())
    sub.cosine_similarity_matrix(x, y)
    sub.info_nce(x, y)
    sub.nt_xent(x, y)
    obs["inputs_unchanged"] = bool(torch.equal(x, keep[0]) and torch.equal(y, keep[1])
                                   and torch.equal(a.detach(), before[0])
                                   and torch.equal(b.detach(), before[1]))
    return obs
