"""Graded probes for topic 14 (GAN). Losses get the probe's logits; modules get the probe's weights
by parameter name; the training step gets the probe's batches, noise and optimisers. The convergence
probe is fed: the grader draws five 1-D two-mode mixtures, each with a secret centre and weights
(``mixture_task``, run by the grader), sends their training samples only, and measures each
returned generator's distance to fresh samples of its mixture on the trusted side (verdicts.py),
with noise this process never sees."""
import itertools

import numpy as np
import torch

torch.set_num_threads(1)
# The first optimiser built in a process imports torch._dynamo (and sympy): ~4 s on a loaded host.
# Done here, before any probe's clock starts, so that no probe pays for it.
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)

G_PARAMS = {"fc1": ("Z", "H"), "fc2": ("H", "H"), "out": ("H", "X")}
D_PARAMS = {"fc1": ("X", "H"), "fc2": ("H", "H"), "out": ("H", "1")}


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(np.array(a), dtype=dtype, requires_grad=grad)


def _np(x):
    return x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, float)


def _f(x):
    return float(x.detach().double()) if isinstance(x, torch.Tensor) else float(x)


def mixture(rng, n):
    """Two equal modes at -1.5 and +1.5 with standard deviation 0.5: (n,) samples."""
    left = rng.random(n) < 0.5
    return np.where(left, -1.5, 1.5) + 0.5 * rng.standard_normal(n)


def d_loss_values(sub, rng):
    obs = {}
    for name, (nr, nf) in (("unequal", (7, 5)), ("equal", (6, 6)), ("one", (1, 3))):
        real, fake = rng.standard_normal(nr) * 2, rng.standard_normal(nf) * 2
        obs[name] = _f(sub.d_loss(_t(real), _t(fake)))
    return obs


def g_loss_values(sub, rng):
    l = rng.standard_normal(9) * 2
    return {"non_saturating": _f(sub.g_loss(_t(l))), "saturating": _f(sub.g_loss_saturating(_t(l)))}


def losses_stability(sub, rng):
    # Confident discriminator, right and wrong: log(sigmoid(-200)) is -200, not log(0) = -inf.
    obs = {}
    for dt in (torch.float64, torch.float32):
        key = str(dt).replace("torch.", "")
        real = rng.uniform(80, 300, 6) * rng.choice([-1.0, 1.0], 6)
        fake = rng.uniform(80, 300, 5) * rng.choice([-1.0, 1.0], 5)
        obs[f"{key}.d_loss"] = _f(sub.d_loss(_t(real, dt), _t(fake, dt)))
        obs[f"{key}.g_loss"] = _f(sub.g_loss(_t(fake, dt)))
        obs[f"{key}.g_loss_saturating"] = _f(sub.g_loss_saturating(_t(fake, dt)))
    return obs


def loss_grads(sub, rng):
    real, fake = rng.standard_normal(5) * 2, rng.standard_normal(4) * 2
    fake[0] = -10.0  # a fake the discriminator rejects: the saturating loss's gradient vanishes
    tr, tf = _t(real, grad=True), _t(fake, grad=True)
    sub.d_loss(tr, tf).backward()
    obs = {"d_loss.real": _np(tr.grad), "d_loss.fake": _np(tf.grad)}
    for name in ("g_loss", "g_loss_saturating"):
        t = _t(fake, grad=True)
        getattr(sub, name)(t).backward()
        obs[f"{name}.fake"] = _np(t.grad)
    return obs


def _load(module, spec, size, rng):
    sd = {}
    for name, (i, o) in spec.items():
        sd[f"{name}.weight"] = torch.tensor(rng.standard_normal((size[o], size[i])) / np.sqrt(size[i]))
        sd[f"{name}.bias"] = torch.tensor(rng.standard_normal(size[o]) * 0.1)
    module.double().load_state_dict(sd, strict=True)
    return module


def _pair(sub, rng, z, h, x):
    size = {"Z": z, "H": h, "X": x, "1": 1}
    G = _load(sub.Generator(z, h, x), G_PARAMS, size, rng)
    D = _load(sub.Discriminator(x, h), D_PARAMS, size, rng)
    return G, D


def modules(sub, rng):
    G, D = _pair(sub, rng, 3, 5, 2)  # non-default sizes, all different
    z = _t(rng.standard_normal((4, 3)))
    x = _t(rng.standard_normal((6, 2)))
    with torch.no_grad():
        obs = {"G": _np(G(z)), "D": _np(D(x)), "D_of_G": _np(D(G(z)))}
    obs["default_G"] = {k: list(p.shape) for k, p in sub.Generator().named_parameters()}
    obs["default_D"] = {k: list(p.shape) for k, p in sub.Discriminator().named_parameters()}
    return obs


def train_step_values(sub, rng):
    G, D = _pair(sub, rng, 3, 6, 1)
    opt_g = torch.optim.SGD(G.parameters(), lr=0.1)
    opt_d = torch.optim.SGD(D.parameters(), lr=0.2)
    obs = {}
    for step in range(3):
        real = _t(mixture(rng, 8)[:, None])  # (8, 1)
        z = _t(rng.standard_normal((8, 3)))  # (8, Z)
        out = sub.train_step(G, D, opt_g, opt_d, real, z)
        obs[f"losses.{step}"] = np.asarray([_f(v) for v in out], dtype=float)
    for k, p in G.named_parameters():
        obs[f"G.{k}"] = _np(p)
    for k, p in D.named_parameters():
        obs[f"D.{k}"] = _np(p)
    return obs


N_SETS = 5  # data sets per grading, one training run each; the verdict's rule: most must pass
SHIFT = 2.0  # the mixture's secret centre is drawn from [-SHIFT, SHIFT]


def mixture_task(rng, n_sets=N_SETS, n_train=2000, n_test=4000, z_dim=4):
    """Run by the grader (the fed probe's data), never in the sandbox: ``n_sets`` independent
    two-mode mixtures shaped like the one the exercise shows (modes 3 apart, standard deviation
    0.5), each with a secret centre c in [-SHIFT, SHIFT] (modes at c - 1.5 and c + 1.5) and a secret
    weight p of the left mode, 0.25 <= p <= 0.35 or 0.65 <= p <= 0.75. Sent: the training samples
    and one training seed per data set. Kept (``_``): fresh samples of each mixture and the
    generator noise, with which the verdict measures each returned generator. A generator fixed in
    advance (not fitted to the samples) is off by |c - c0| + about 3 |p - p0| and passes a data set
    only when the secret lands near its guess (see the manifest for the measured odds)."""
    X, seeds, real = [], [], []
    for _ in range(n_sets):
        p = rng.uniform(0.25, 0.35)
        p = p if rng.random() < 0.5 else 1.0 - p
        c = rng.uniform(-SHIFT, SHIFT)

        def draw(n):
            left = rng.random(n) < p
            return c + np.where(left, -1.5, 1.5) + 0.5 * rng.standard_normal(n)  # (n,)

        X.append(draw(n_train)[:, None])  # (n_train, 1)
        real.append(draw(n_test))  # (n_test,)
        seeds.append(rng.integers(2**31))
    return {"X": np.stack(X), "seed": np.asarray(seeds, dtype=np.int64),  # (S, n_train, 1), (S,)
            "_real": np.stack(real), "_z": rng.standard_normal((n_sets, n_test, z_dim))}  # (S, n_test), (S, n_test, Z)


G_ORDER = ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "out.weight", "out.bias")  # Q2's Generator
MAX_VALUES = 1_000_000  # floats shipped per generator (Q2's default one has 1249)
MAX_STEPS = 100_000  # loss pairs kept for the plotted curve


def _packed(G):
    """A trained Generator's parameters, looked up by Q2's names, in a form that fits the channel's
    few arrays per answer: one flat float64 vector (Q2's order) and one row per name, (ndim, d0, d1,
    d2, d3), with ndim -1 where the name is missing. Shapes are checked on the trusted side."""
    params = dict(itertools.islice(G.named_parameters(), 64))
    shapes, flat = np.full((len(G_ORDER), 5), -1, dtype=np.int64), []  # (6, 5)
    for i, name in enumerate(G_ORDER):
        t = params.get(name)
        if isinstance(t, torch.Tensor):
            shapes[i, 0] = t.dim()
            shapes[i, 1:1 + min(t.dim(), 4)] = tuple(t.shape)[:4]
            flat.append(t)
    if sum(t.numel() for t in flat) > MAX_VALUES:
        return np.zeros(0), shapes  # far too many values: the shapes say why
    return np.concatenate([_np(t).reshape(-1) for t in flat] or [np.zeros(0)]), shapes


def _curve(losses):
    """The generator's loss per step, for the report's plot only (never graded): empty if
    ``losses`` is not the documented list of pairs."""
    try:
        pairs = list(itertools.islice(iter(losses), MAX_STEPS))
        return np.asarray([_f(pair[1]) for pair in pairs], dtype=float)  # (n_steps,)
    except Exception:  # the curve is a diagnostic; train_gan's result is judged by its generator
        return np.zeros(0)


def mixture_convergence(sub, rng, z_dim=4, hidden=32, n_steps=600, batch_size=128, lr=1e-3):
    """Fed (``mixture_task``): trains once on each of the grader's data sets, from that set's seed,
    and returns every generator's weights (``run<k>.weights``, ``run<k>.shapes``) and the loss
    curves (``curves``, one row per run, NaN-padded): 11 arrays, within the channel's 16."""
    def train(X, seed):
        X, seeds = np.asarray(X, dtype=float), np.asarray(seed).reshape(-1)  # (S, N, 1), (S,)
        obs, curves = {}, []
        for k in range(min(len(X), len(seeds), N_SETS)):
            G, _, losses = sub.train_gan(torch.tensor(X[k], dtype=torch.float32), z_dim=z_dim,
                                         hidden=hidden, n_steps=n_steps, batch_size=batch_size,
                                         lr=lr, seed=int(seeds[k]))
            obs[f"run{k}.weights"], obs[f"run{k}.shapes"] = _packed(G)
            curves.append(_curve(losses))
        width = max([len(c) for c in curves] + [1])
        obs["curves"] = np.full((len(curves), width), np.nan)  # (S, n_steps)
        for k, c in enumerate(curves):
            obs["curves"][k, :len(c)] = c
        return obs
    return train
