"""Reference implementation for topic 20: DDPM noise schedules, forward noising, the epsilon-prediction
loss and one reverse (sampling) step with the posterior variance."""
import math

import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)  # (T,)


def cosine_beta_schedule(T, s=0.008, max_beta=0.999):
    steps = torch.arange(T + 1, dtype=torch.float64) / T  # (T + 1,): t / T for t = 0 .. T
    f = torch.cos((steps + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]  # (T + 1,), starts at 1
    betas = 1 - alpha_bars[1:] / alpha_bars[:-1]  # (T,)
    return betas.clamp(max=max_beta)  # the last steps would reach beta = 1


def diffusion_constants(betas):
    alphas = 1 - betas  # (T,)
    alpha_bars = torch.cumprod(alphas, dim=0)  # (T,): alpha_bar_t = prod_{s <= t} alpha_s
    alpha_bars_prev = torch.cat([alpha_bars.new_ones(1), alpha_bars[:-1]])  # alpha_bar_{t-1}, 1 at t = 0
    posterior_variance = betas * (1 - alpha_bars_prev) / (1 - alpha_bars)  # (T,), 0 at t = 0
    return {"alphas": alphas, "alpha_bars": alpha_bars, "alpha_bars_prev": alpha_bars_prev,
            "posterior_variance": posterior_variance}


def _per_sample(values, t, like):
    """values[t] as a (B, 1, ..., 1) tensor that broadcasts against `like` (B, ...), in its dtype."""
    return values[t].to(like.dtype).view(-1, *([1] * (like.dim() - 1)))


def q_sample(x0, t, noise, alpha_bars):
    # x0, noise (B, ...); t (B,) int64 in [0, T)
    ab = _per_sample(alpha_bars, t, x0)  # (B, 1, ..., 1)
    return ab.sqrt() * x0 + (1 - ab).sqrt() * noise  # (B, ...)


def ddpm_loss(model, x0, t, noise, alpha_bars):
    x_t = q_sample(x0, t, noise, alpha_bars)  # (B, ...)
    eps_pred = model(x_t, t)  # (B, ...): the model predicts the noise that was added
    return ((eps_pred - noise) ** 2).mean()  # ()


def p_sample_step(model, x_t, t, noise, betas):
    c = diffusion_constants(betas)
    eps = model(x_t, t)  # (B, ...)
    beta = _per_sample(betas, t, x_t)
    alpha = _per_sample(c["alphas"], t, x_t)
    ab = _per_sample(c["alpha_bars"], t, x_t)
    mean = (x_t - beta / (1 - ab).sqrt() * eps) / alpha.sqrt()  # (B, ...)
    var = _per_sample(c["posterior_variance"], t, x_t)  # 0 where t == 0: the last step adds no noise
    return mean + var.sqrt() * noise  # (B, ...)
