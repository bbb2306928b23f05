"""Graded probes for topic 20 (DDPM). Schedules are built by the code under test; everything else
gets schedules, data, noise and a fixed noise-prediction model from the probe, so that the grader
controls every random draw. The grader compares with the same probe run on the reference."""
import numpy as np
import torch

torch.set_num_threads(1)


def _t(a, dtype=torch.float64):
    return torch.tensor(np.array(a), dtype=dtype)


def _np(x):
    return x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, float)


def _linear_betas(T, start=1e-4, end=0.02):
    return torch.tensor(np.linspace(start, end, T), dtype=torch.float64)  # (T,), the probe's own


def _cosine_betas(T, s=0.008):
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    return torch.tensor(np.minimum(1 - f[1:] / f[:-1], 0.999), dtype=torch.float64)  # (T,)


def _alpha_bars(betas):
    return torch.cumprod(1 - betas, dim=0)  # (T,)


class EpsModel(torch.nn.Module):
    """A fixed stand-in for the noise-prediction network: depends on x_t and on t, and records the
    shapes and dtypes it was called with."""

    def __init__(self, rng, sample_shape, T):
        super().__init__()
        self.w = torch.tensor(rng.standard_normal(sample_shape))  # (...) per-element weight
        self.b = torch.tensor(rng.standard_normal(sample_shape))
        self.T = T
        self.calls = []

    def forward(self, x, t):
        self.calls.append({"x_shape": list(x.shape), "x_dtype": str(x.dtype),
                           "t_shape": list(t.shape) if isinstance(t, torch.Tensor) else [],
                           "t_dtype": str(t.dtype) if isinstance(t, torch.Tensor) else type(t).__name__})
        tt = torch.as_tensor(t).to(torch.float64).reshape(-1, *([1] * (x.dim() - 1)))  # (B, 1, ...)
        phase = torch.cos(3.0 * tt / self.T + self.b)  # the prediction changes with t
        return torch.tanh(x.to(torch.float64) * self.w + phase).to(x.dtype)  # (B, ...)


def _times(rng, batch, T):
    """Per-sample steps covering both ends: t = 0 and t = T - 1, then random ones."""
    t = rng.integers(0, T, size=batch)
    t[0], t[1] = 0, T - 1
    return torch.tensor(t, dtype=torch.int64)  # (B,)


def linear_schedule(sub, rng):
    return {"default": _np(sub.linear_beta_schedule(1000)),
            "T10": _np(sub.linear_beta_schedule(10, beta_start=1e-3, beta_end=0.1)),
            "T7_positional": _np(sub.linear_beta_schedule(7, 0.05, 0.2))}


def cosine_schedule(sub, rng):
    return {"default": _np(sub.cosine_beta_schedule(1000)),  # the last beta is clipped to 0.999
            "T50": _np(sub.cosine_beta_schedule(50)),
            "T8_s": _np(sub.cosine_beta_schedule(8, s=0.05)),
            "T6_clip": _np(sub.cosine_beta_schedule(6, max_beta=0.5))}


def constants(sub, rng):
    obs = {}
    T = int(rng.integers(20, 60))
    start = float(rng.uniform(1e-4, 1e-3))
    for name, betas in (("linear", _linear_betas(T, start, 0.05)), ("cosine", _cosine_betas(T))):
        c = sub.diffusion_constants(betas.clone())
        for key in ("alphas", "alpha_bars", "alpha_bars_prev", "posterior_variance"):
            obs[f"{name}.{key}"] = _np(c[key])
    return obs


def q_sample_values(sub, rng):
    obs = {}
    T = 200
    ab = _alpha_bars(_cosine_betas(T))
    x0 = rng.standard_normal((6, 3, 4, 5))  # (B, C, H, W)
    noise = rng.standard_normal(x0.shape)
    t = _times(rng, 6, T)
    tx0, tn = _t(x0), _t(noise)
    obs["image"] = _np(sub.q_sample(tx0, t.clone(), tn, ab.clone()))
    obs["inputs_unchanged"] = bool(np.array_equal(tx0.numpy(), x0) and np.array_equal(tn.numpy(), noise))
    x0 = rng.standard_normal((5, 7))  # (B, D), float32 data with float64 schedule constants
    noise = rng.standard_normal(x0.shape)
    t = _times(rng, 5, T)
    obs["vector_float32"] = _np(sub.q_sample(_t(x0, torch.float32), t, _t(noise, torch.float32),
                                             ab.clone()))
    ab_lin = _alpha_bars(_linear_betas(1000))
    x0 = rng.standard_normal((4, 2, 3))
    noise = rng.standard_normal(x0.shape)
    obs["linear_T1000"] = _np(sub.q_sample(_t(x0), _times(rng, 4, 1000), _t(noise), ab_lin))
    return obs


def loss_values(sub, rng):
    obs = {}
    for name, shape, T in (("image", (7, 2, 3, 3), 100), ("vector", (5, 4), 30)):
        ab = _alpha_bars(_cosine_betas(T))
        x0 = _t(rng.standard_normal(shape))
        noise = _t(rng.standard_normal(shape))
        model = EpsModel(rng, shape[1:], T)
        obs[name] = float(sub.ddpm_loss(model, x0, _times(rng, shape[0], T), noise, ab))
    return obs


def reverse_step_values(sub, rng):
    obs = {}
    for name, betas in (("linear", _linear_betas(100)), ("cosine", _cosine_betas(50))):
        T = betas.shape[0]
        shape = (6, 2, 5)
        x_t = _t(rng.standard_normal(shape))
        noise = _t(rng.standard_normal(shape))
        t = _times(rng, 6, T)
        t[2] = 1  # the step into t = 0 has a tiny posterior variance
        model = EpsModel(rng, shape[1:], T)
        obs[name] = _np(sub.p_sample_step(model, x_t, t, noise, betas.clone()))
    # Every sample at t = 0: the last step returns the mean, whatever the noise.
    betas = _cosine_betas(40)
    x_t = _t(rng.standard_normal((3, 4)))
    model = EpsModel(rng, (4,), 40)
    zeros = torch.zeros(3, dtype=torch.int64)
    obs["final_step"] = _np(sub.p_sample_step(model, x_t, zeros, _t(rng.standard_normal((3, 4))), betas))
    return obs


def shapes(sub, rng):
    obs = {}
    lin, cos = sub.linear_beta_schedule(13), sub.cosine_beta_schedule(13)
    for name, b in (("linear", lin), ("cosine", cos)):
        obs[f"{name}.shape"] = list(b.shape)
        obs[f"{name}.dtype"] = str(b.dtype)
    c = sub.diffusion_constants(_cosine_betas(13))
    obs["constants"] = {k: list(c[k].shape) for k in ("alphas", "alpha_bars", "alpha_bars_prev",
                                                       "posterior_variance")}
    ab = _alpha_bars(_cosine_betas(30))
    for name, shape in (("image", (4, 3, 8, 6)), ("vector", (3, 5)), ("sequence", (2, 7, 3))):
        x = _t(rng.standard_normal(shape), torch.float32)
        out = sub.q_sample(x, _times(rng, shape[0], 30), torch.randn(shape), ab)
        obs[f"q_sample.{name}"] = [list(out.shape), str(out.dtype)]
    shape = (5, 3, 4)
    model = EpsModel(rng, shape[1:], 30)
    x = _t(rng.standard_normal(shape), torch.float32)
    loss = sub.ddpm_loss(model, x, _times(rng, 5, 30), torch.randn(shape), ab)
    obs["loss"] = [list(loss.shape), str(loss.dtype)] if isinstance(loss, torch.Tensor) else type(loss).__name__
    out = sub.p_sample_step(model, x, _times(rng, 5, 30), torch.randn(shape), _cosine_betas(30))
    obs["p_sample_step"] = [list(out.shape), str(out.dtype)]
    # The model is called once per loss and per step, with x_t (B, ...) and t (B,) int64.
    obs["model_calls"] = model.calls
    return obs
