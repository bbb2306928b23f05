"""Graded probes for topic 18 (U-Net). Modules get the probe's seeded weights by the documented
names (downs.<i>.conv1, bottleneck, ups.<j>, up_convs.<j>, head); inputs have odd and non-square
sizes, so every level of the decoder needs the padding convention, and depth and width are varied."""
import numpy as np
import torch

torch.set_num_threads(1)  # the same arithmetic on both sides


def _np(x):
    return x.detach().cpu().double().numpy()


def _x(rng, shape, dtype=torch.float64):
    return torch.tensor(rng.standard_normal(shape), dtype=dtype)


def _conv(rng, sd, key, c_out, c_in, k):
    sd[f"{key}.weight"] = rng.standard_normal((c_out, c_in, k, k)) * np.sqrt(2.0 / (c_in * k * k))
    sd[f"{key}.bias"] = 0.1 * rng.standard_normal(c_out)


def _double(rng, sd, key, c_in, c_out):
    _conv(rng, sd, f"{key}.conv1", c_out, c_in, 3)
    _conv(rng, sd, f"{key}.conv2", c_out, c_out, 3)


def unet_state(rng, c_in, c_out, base, depth):
    widths = [base * 2 ** i for i in range(depth + 1)]
    sd = {}
    for i in range(depth):
        _double(rng, sd, f"downs.{i}", c_in if i == 0 else widths[i - 1], widths[i])
    _double(rng, sd, "bottleneck", widths[depth - 1], widths[depth])
    for j, d in enumerate(reversed(range(depth))):
        # ConvTranspose2d stores (in_channels, out_channels, kH, kW).
        sd[f"ups.{j}.weight"] = rng.standard_normal((widths[d + 1], widths[d], 2, 2)) * np.sqrt(
            1.0 / widths[d + 1])
        sd[f"ups.{j}.bias"] = 0.1 * rng.standard_normal(widths[d])
        _double(rng, sd, f"up_convs.{j}", 2 * widths[d], widths[d])
    _conv(rng, sd, "head", c_out, base, 1)
    return sd


def _load(module, sd, dtype=torch.float64):
    module = module.to(dtype)
    module.load_state_dict({k: torch.tensor(v, dtype=dtype) for k, v in sd.items()}, strict=True)
    return module


def _unet(sub, rng, c_in, c_out, base, depth, dtype=torch.float64):
    return _load(sub.UNet(c_in, c_out, base=base, depth=depth), unet_state(rng, c_in, c_out, base,
                                                                            depth), dtype)


def double_conv_values(sub, rng):
    obs = {}
    for c_in, c_out, h, w in ((3, 5, 7, 9), (4, 2, 1, 6)):
        sd = {}
        _double(rng, sd, "m", c_in, c_out)
        m = _load(sub.DoubleConv(c_in, c_out), {k[2:]: v for k, v in sd.items()})
        x = _x(rng, (2, c_in, h, w))
        x0 = x.clone()
        with torch.no_grad():
            obs[f"{c_in}_{c_out}_{h}x{w}"] = _np(m(x))
        obs[f"{c_in}_{c_out}_{h}x{w}.input_unchanged"] = bool(torch.equal(x, x0))
    return obs


def crop_pad_values(sub, rng):
    obs = {}
    x = _x(rng, (2, 3, 9, 8))
    x0 = x.clone()
    for h, w in ((5, 5), (8, 7), (9, 8), (2, 3)):  # odd and even differences, and none at all
        y = sub.center_crop(x, (h, w))
        obs[f"crop_{h}x{w}"] = _np(y)
    small = _x(rng, (2, 3, 4, 5), torch.float32)
    s0 = small.clone()
    for h, w in ((5, 7), (4, 6), (7, 5), (4, 5), (9, 10)):
        y = sub.pad_to_match(small, (h, w))
        obs[f"pad_{h}x{w}"] = _np(y)
    obs["pad.dtype"] = str(sub.pad_to_match(small, (5, 6)).dtype)
    obs["crop.dtype"] = str(sub.center_crop(small, (3, 3)).dtype)
    obs["inputs_unchanged"] = bool(torch.equal(x, x0) and torch.equal(small, s0))
    return obs


def _state_shapes(module):
    return {k.replace(".", "/"): list(v.shape) for k, v in module.state_dict().items()}


def unet_params(sub, rng):
    return {"1_2_b4_d2": _state_shapes(sub.UNet(1, 2, base=4, depth=2)),
            "3_1_b6_d3": _state_shapes(sub.UNet(3, 1, base=6, depth=3)),
            "2_3_b5_d1": _state_shapes(sub.UNet(2, 3, base=5, depth=1))}


def unet_shapes(sub, rng):
    obs = {}
    for c_in, c_out, base, depth, h, w in ((1, 2, 4, 2, 13, 10), (3, 1, 4, 3, 9, 16),
                                           (2, 3, 5, 1, 8, 8), (1, 1, 4, 3, 17, 11),
                                           (1, 2, 4, 2, 6, 7)):
        for dt in (torch.float32, torch.float64):
            m = sub.UNet(c_in, c_out, base=base, depth=depth).to(dt)
            batch = 1 if depth == 3 else 2
            with torch.no_grad():
                y = m(_x(rng, (batch, c_in, h, w), dt))
            obs[f"{c_in}_{c_out}_b{base}_d{depth}_{h}x{w}.{str(dt)[6:]}"] = [list(y.shape), str(y.dtype)]
    return obs


def unet_values(sub, rng):
    obs = {}
    for c_in, c_out, base, depth, h, w in ((1, 2, 4, 2, 13, 10), (3, 1, 4, 3, 9, 12),
                                           (2, 2, 3, 1, 7, 6)):
        m = _unet(sub, rng, c_in, c_out, base, depth)
        x = _x(rng, (2, c_in, h, w))
        x0 = x.clone()
        key = f"{c_in}_{c_out}_b{base}_d{depth}_{h}x{w}"
        with torch.no_grad():
            obs[key] = _np(m(x))
        obs[f"{key}.input_unchanged"] = bool(torch.equal(x, x0))
    return obs


def unet_grad(sub, rng):
    m = _unet(sub, rng, 2, 2, 4, 2)
    x = _x(rng, (2, 2, 11, 9)).requires_grad_()
    g = _x(rng, (2, 2, 11, 9))  # upstream gradient of the output
    (m(x) * g).sum().backward()
    obs = {"input": _np(x.grad)}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs
