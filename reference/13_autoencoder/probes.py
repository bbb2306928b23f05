"""Graded probes for topic 13 (denoising autoencoder). Modules get the probe's seeded weights by
parameter name (enc1, enc2, dec1, dec2); noise comes from a seeded torch.Generator that the student
draws from in the documented order. The convergence probe is fed: the grader draws a secret split
of scikit-learn's bundled digits (``digits_task``, run by the grader), sends the training digits
only, and scores the returned weights with the reference's Autoencoder on the held-out digits it
kept (reference/13_autoencoder/verdicts.py)."""
import numpy as np
import torch

torch.set_num_threads(1)  # the same arithmetic on both sides, and one core per sandbox
# The first torch.optim optimizer imports torch._dynamo (~2.5 s CPU, far more on a loaded host):
# paid here, once per run on both sides, instead of inside the first timed training probe.
import torch._dynamo  # noqa: E402,F401

LAYERS = ("enc1", "enc2", "dec1", "dec2")


def _np(x):
    return x.detach().cpu().double().numpy()


def _weights(rng, n_in, n_hidden, n_latent):
    sizes = {"enc1": (n_hidden, n_in), "enc2": (n_latent, n_hidden), "dec1": (n_hidden, n_latent),
             "dec2": (n_in, n_hidden)}  # nn.Linear stores (out_features, in_features)
    sd = {}
    for name in LAYERS:
        out_f, in_f = sizes[name]
        sd[f"{name}.weight"] = rng.standard_normal((out_f, in_f)) * 1.5 / np.sqrt(in_f)
        sd[f"{name}.bias"] = rng.standard_normal(out_f) * 0.3
    return sd


def _ae(sub, rng, n_in, n_hidden, n_latent, dtype=torch.float64):
    """The student's module with the probe's weights, loaded by parameter name (strict)."""
    m = sub.Autoencoder(n_in, n_hidden, n_latent).to(dtype)
    m.load_state_dict({k: torch.tensor(v, dtype=dtype) for k, v in
                       _weights(rng, n_in, n_hidden, n_latent).items()}, strict=True)
    return m


def _shapes(module):
    return {name: list(p.shape) for name, p in module.named_parameters()}


def ae_shapes(sub, rng):
    obs = {"params.default": _shapes(sub.Autoencoder()),  # n_in=64, n_hidden=32, n_latent=8
           "params.20_12_3": _shapes(sub.Autoencoder(20, 12, 3))}
    for dt in (torch.float32, torch.float64):
        key = str(dt).replace("torch.", "")
        m = _ae(sub, rng, 20, 12, 3, dtype=dt)
        for batch in (1, 5):
            x = torch.tensor(rng.random((batch, 20)), dtype=dt)  # (B, n_in)
            z = m.encode(x)  # (B, n_latent)
            obs[f"{key}.b{batch}.encode"] = [list(z.shape), str(z.dtype)]
            d = m.decode(z)
            obs[f"{key}.b{batch}.decode"] = [list(d.shape), str(d.dtype)]
            y = m(x)
            obs[f"{key}.b{batch}.forward"] = [list(y.shape), str(y.dtype)]
    return obs


def ae_values(sub, rng):
    obs = {}
    for n_in, n_hidden, n_latent, batch in ((64, 32, 8, 6), (20, 12, 3, 3)):
        m = _ae(sub, rng, n_in, n_hidden, n_latent)
        x = torch.tensor(rng.random((batch, n_in)), dtype=torch.float64)  # (B, n_in) in [0, 1)
        z = torch.tensor(rng.standard_normal((batch, n_latent)) * 2, dtype=torch.float64)  # codes
        x0, z0 = x.clone(), z.clone()
        with torch.no_grad():
            key = f"{n_in}_{n_hidden}_{n_latent}"
            obs[f"{key}.encode"] = _np(m.encode(x))  # (B, n_latent): negative codes must survive
            obs[f"{key}.decode"] = _np(m.decode(z))  # (B, n_in)
            obs[f"{key}.forward"] = _np(m(x))
        obs[f"{key}.inputs_unchanged"] = bool(torch.equal(x, x0) and torch.equal(z, z0))
    return obs


def _gen(rng):
    return torch.Generator().manual_seed(int(rng.integers(2**31)))


def noise_values(sub, rng):
    obs = {}
    x = rng.random((7, 10))  # (N, D) in [0, 1): more than 16 values, so dtypes draw differently
    for dt in (torch.float64, torch.float32):
        key = str(dt).replace("torch.", "")
        xt = torch.tensor(x, dtype=dt)
        g = _gen(rng)
        y1 = sub.add_noise(xt, 0.3, g)
        y2 = sub.add_noise(xt, 1.5, g)  # the same generator again: exactly one draw per call
        obs[f"{key}.std0.3"] = _np(y1)
        obs[f"{key}.std1.5_second_call"] = _np(y2)  # large noise: clamping to [0, 1] matters
        obs[f"{key}.dtype"] = str(y1.dtype)
        obs[f"{key}.input_unchanged"] = bool(torch.equal(xt, torch.tensor(x, dtype=dt)))
    xt = torch.tensor(x, dtype=torch.float64)
    obs["std0"] = _np(sub.add_noise(xt, 0.0, _gen(rng)))  # no noise: x itself
    return obs


def loss_values(sub, rng):
    obs = {}
    for n_in, n_hidden, n_latent, batch, std in ((64, 32, 8, 9, 0.25), (20, 12, 3, 4, 0.6)):
        m = _ae(sub, rng, n_in, n_hidden, n_latent)
        x = torch.tensor(rng.random((batch, n_in)), dtype=torch.float64)
        x0 = x.clone()
        key = f"{n_in}_{n_hidden}_{n_latent}"
        with torch.no_grad():
            obs[f"{key}.loss"] = float(sub.denoising_loss(m, x, std, _gen(rng)))
            obs[f"{key}.no_noise"] = float(sub.denoising_loss(m, x, 0.0, _gen(rng)))
        obs[f"{key}.input_unchanged"] = bool(torch.equal(x, x0))
    return obs


def loss_grad(sub, rng):
    m = _ae(sub, rng, 64, 32, 8)
    x = torch.tensor(rng.random((10, 64)), dtype=torch.float64)
    loss = sub.denoising_loss(m, x, 0.3, _gen(rng))
    loss.backward()
    obs = {"loss": np.asarray(float(loss.detach()))}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs


def train_contract(sub, rng):
    obs = {}
    for dt, epochs in ((torch.float32, 3), (torch.float64, 1)):
        key = str(dt).replace("torch.", "")
        X = torch.tensor(rng.random((90, 12)), dtype=dt)  # 90 rows: the last batch of 32 is short
        X0 = X.clone()
        model, losses = sub.train_autoencoder(X, n_hidden=10, n_latent=3, noise_std=0.1,
                                              epochs=epochs, batch_size=32, lr=1e-3,
                                              seed=int(rng.integers(2**31)))
        losses = [float(v) for v in losses]
        obs[f"{key}.n_losses"] = len(losses)
        obs[f"{key}.losses_finite"] = bool(np.all(np.isfinite(losses)))
        obs[f"{key}.params"] = _shapes(model)
        with torch.no_grad():
            y = model(X[:2])
        obs[f"{key}.output"] = [list(y.shape), str(y.dtype)]
        obs[f"{key}.input_unchanged"] = bool(torch.equal(X, X0))
    return obs


_DIGITS = []


def _digits():
    """scikit-learn's bundled digits scaled to [0, 1], (1797, 64); read once per process."""
    if not _DIGITS:
        from sklearn.datasets import load_digits  # bundled with scikit-learn: nothing is downloaded

        _DIGITS.append(load_digits().data / 16.0)
    return _DIGITS[0]


def digits_task(rng, n_train=1200, noise_std=0.3):
    """Run by the grader (the fed probe's data), never in the sandbox: a secret split of the digits
    under a secret order of the 64 pixels (the same for every row, so the task is the same for a
    network of Linear layers, but the rows are not scikit-learn's and weights trained elsewhere do
    not fit). Sent: the training digits and the training seed. Kept (``_``): the held-out digits,
    clean, and their noisy copies, on which the verdict runs the returned weights."""
    X = _digits()[:, rng.permutation(64)]  # (1797, 64), pixels in a secret order
    order = rng.permutation(len(X))
    train, held = X[order[:n_train]], X[order[n_train:]]  # (1200, 64), (597, 64)
    noisy = np.clip(held + noise_std * rng.standard_normal(held.shape), 0.0, 1.0)  # (597, 64)
    return {"X": train, "seed": np.int64(rng.integers(2**31)), "_clean": held, "_noisy": noisy}


MAX_PARAMS = 16  # the Autoencoder of Q1 has 8 tensors; the verdict checks names and shapes


def digits_convergence(sub, rng, noise_std=0.3, epochs=40, batch_size=64, lr=5e-3):
    """Fed (``digits_task``): trains on the grader's training digits and returns the trained
    weights; the verdict runs them through the reference's own Autoencoder on held-out digits that
    never reach this process (the student's forward is not used here: ae_values tests it)."""
    def train(X, seed):
        model, losses = sub.train_autoencoder(torch.tensor(X, dtype=torch.float32), n_hidden=32,
                                              n_latent=8, noise_std=noise_std, epochs=epochs,
                                              batch_size=batch_size, lr=lr,
                                              seed=int(np.asarray(seed).reshape(-1)[0]))
        out = {f"param.{k}": _np(v) for k, v in list(model.state_dict().items())[:MAX_PARAMS]}
        out["curve"] = np.asarray([float(v) for v in list(losses)[:10_000]], dtype=float)
        return out
    return train
