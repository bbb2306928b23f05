"""Graded probes for topic 19 (VAE). The probe draws every random number the formulas need (eps is
an argument); modules get the probe's weights by parameter name. The convergence probe is fed: the grader
draws a secret split of scikit-learn's bundled digits (``digits_task``, run by the grader), sends
the training digits only, and computes the held-out ELBO of the returned weights on the trusted
side (verdicts.py), on digits this process never receives."""
import numpy as np
import torch

from autograder.checks.gradients import fd_diagnostic

torch.set_num_threads(1)
# The first optimiser built in a process imports torch._dynamo (and sympy): ~4 s on a loaded host.
# Done here, before any probe's clock starts, so that no probe pays for it.
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)

PARAMS = {"enc": ("D", "H"), "enc_mu": ("H", "Z"), "enc_logvar": ("H", "Z"), "dec": ("Z", "H"),
          "dec_out": ("H", "D")}  # nn.Linear(in, out) by name


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, float)


def _gauss(rng, b, z):
    mu = rng.standard_normal((b, z))  # (B, Z)
    logvar = rng.uniform(-3, 2, (b, z))  # (B, Z): sigma from 0.22 to 2.7
    return mu, logvar


_DIGITS = []


def _digits():
    """scikit-learn's bundled digits scaled to [0, 1], (1797, 64); read once per process."""
    if not _DIGITS:
        from sklearn.datasets import load_digits  # bundled with scikit-learn: nothing is downloaded

        _DIGITS.append(load_digits().data / 16.0)
    return _DIGITS[0]


def digits_task(rng, n_train=1400, latent=8, draws=4):
    """Run by the grader (the fed probe's data), never in the sandbox: a secret split of the digits
    under a secret order of the 64 pixels (the same for every row: the same task for a network of
    Linear layers, but the rows are not scikit-learn's, and weights trained elsewhere do not fit).
    Sent: the training digits and the training seed. Kept (``_``): the held-out digits and the
    noise draws of the held-out ELBO, which the verdict computes from the returned weights."""
    X = _digits()[:, rng.permutation(64)]  # (1797, 64), pixels in a secret order
    perm = rng.permutation(X.shape[0])
    test = X[perm[n_train:]]  # (397, 64)
    return {"X": X[perm[:n_train]], "seed": np.int64(rng.integers(2**31)), "_X_test": test,
            "_eps": rng.standard_normal((draws, test.shape[0], latent))}  # (draws, 397, Z)


def reparam_values(sub, rng):
    mu, logvar = _gauss(rng, 5, 3)
    logvar[0, 0], logvar[1, 1] = -30.0, 5.0  # a nearly deterministic and a very wide dimension
    eps = rng.standard_normal((5, 3))
    z = sub.reparameterize(_t(mu), _t(logvar), _t(eps))
    z32 = sub.reparameterize(_t(mu, torch.float32), _t(logvar, torch.float32), _t(eps, torch.float32))
    return {"float64": _np(z), "float32": _np(z32), "float32.dtype": str(z32.dtype)}


def kl_values(sub, rng):
    mu, logvar = _gauss(rng, 6, 4)
    obs = {"random": _np(sub.gaussian_kl(_t(mu), _t(logvar)))}  # (6,)
    obs["prior"] = _np(sub.gaussian_kl(torch.zeros(3, 5, dtype=torch.float64),
                                       torch.zeros(3, 5, dtype=torch.float64)))  # KL = 0
    mu, logvar = _gauss(rng, 2, 7)
    mu[0] *= 10.0  # far from the prior
    logvar[1] = rng.uniform(-8, 4, 7)
    obs["wide"] = _np(sub.gaussian_kl(_t(mu), _t(logvar)))
    return obs


def nll_values(sub, rng):
    logits = rng.standard_normal((4, 9)) * 3  # (B, D)
    x = rng.random((4, 9))  # grey levels in [0, 1], not only 0/1
    obs = {"ordinary": _np(sub.bernoulli_nll(_t(logits), _t(x)))}  # (4,)
    # Confident logits, some of them wrong: log(sigmoid(-100)) is -100, not log(0) = -inf.
    big = rng.uniform(80, 300, (3, 6)) * rng.choice([-1.0, 1.0], (3, 6))
    xb = rng.choice([0.0, 1.0, 0.5], (3, 6))
    obs["extreme"] = _np(sub.bernoulli_nll(_t(big), _t(xb)))
    obs["extreme_float32"] = _np(sub.bernoulli_nll(_t(big, torch.float32), _t(xb, torch.float32)))
    return obs


def elbo_values(sub, rng):
    obs = {}
    for name, beta in (("default", None), ("beta_0.5", 0.5), ("beta_4", 4.0)):
        mu, logvar = _gauss(rng, 5, 3)
        logits, x = rng.standard_normal((5, 10)) * 2, rng.random((5, 10))
        kw = {} if beta is None else {"beta": beta}
        obs[name] = float(sub.negative_elbo(_t(x), _t(logits), _t(mu), _t(logvar), **kw))
    return obs


def elbo_grad(sub, rng):
    mu, logvar = _gauss(rng, 4, 3)
    logits, x = rng.standard_normal((4, 6)) * 2, rng.random((4, 6))
    tl, tm, tv = _t(logits, grad=True), _t(mu, grad=True), _t(logvar, grad=True)
    sub.negative_elbo(_t(x), tl, tm, tv, beta=2.0).backward()
    obs = {"logits": _np(tl.grad), "mu": _np(tm.grad), "logvar": _np(tv.grad)}

    def loss():
        return float(sub.negative_elbo(_t(x), _t(logits), _t(mu), _t(logvar), beta=2.0))

    obs["diag.fd.logvar"] = fd_diagnostic(loss, logvar)
    obs["diag.fd.mu"] = fd_diagnostic(loss, mu)
    return obs


def _weights(rng, d, h, z):
    size = {"D": d, "H": h, "Z": z}
    sd = {}
    for name, (i, o) in PARAMS.items():
        sd[f"{name}.weight"] = rng.standard_normal((size[o], size[i])) / np.sqrt(size[i])
        sd[f"{name}.bias"] = rng.standard_normal(size[o]) * 0.1
    return sd


def _vae(sub, rng, d, h, z):
    m = sub.VAE(d, h, z).double()
    m.load_state_dict({k: torch.tensor(v) for k, v in _weights(rng, d, h, z).items()}, strict=True)
    return m


def vae_forward(sub, rng):
    m = _vae(sub, rng, 10, 7, 3)  # non-default sizes, all different
    x = _t(rng.random((5, 10)))
    eps = _t(rng.standard_normal((5, 3)))
    with torch.no_grad():
        logits, mu, logvar = m(x, eps)
        mu2, logvar2 = m.encode(x)
        dec = m.decode(eps)
    default = sub.VAE()
    return {"logits": _np(logits), "mu": _np(mu), "logvar": _np(logvar), "encode.mu": _np(mu2),
            "encode.logvar": _np(logvar2), "decode": _np(dec),
            "default_shapes": {k: list(p.shape) for k, p in default.named_parameters()}}


def vae_grad(sub, rng):
    m = _vae(sub, rng, 8, 6, 2)
    x = _t(rng.random((4, 8)))
    eps = _t(rng.standard_normal((4, 2)))
    logits, mu, logvar = m(x, eps)
    sub.negative_elbo(x, logits, mu, logvar).backward()
    return {f"param.{k}": _np(p.grad) if p.grad is not None else np.zeros(1)
            for k, p in m.named_parameters()}


MAX_PARAMS = 16  # the VAE of Q4 has 10 tensors; the verdict checks names and shapes


def digits_convergence(sub, rng, hidden=128, latent=8, n_steps=300, batch_size=64, lr=3e-3):
    """Fed (``digits_task``): trains on the grader's training digits and returns the weights."""
    def train(X, seed):
        model, losses = sub.train_vae(torch.tensor(X, dtype=torch.float32), hidden=hidden,
                                      latent=latent, n_steps=n_steps, batch_size=batch_size, lr=lr,
                                      seed=int(np.asarray(seed).reshape(-1)[0]))  # X (1400, 64)
        obs = {"curve": np.asarray([float(v) for v in list(losses)[:100_000]], dtype=float)}
        for k, p in list(model.named_parameters())[:MAX_PARAMS]:
            obs[f"param.{k}"] = _np(p)
        return obs
    return train
