"""Graded probes for topic 23 (Vision Transformer). Modules get the probe's seeded weights by the
documented names (patch_embed.proj, cls_token, pos_embed, blocks.<i>.norm1 / attn.qkv / attn.proj /
norm2 / fc1 / fc2, norm, head); images are non-square, patch sizes vary, the class token and the
position embedding are random so that their placement shows in every output."""
import numpy as np
import torch

torch.set_num_threads(1)  # the same arithmetic on both sides


def _np(x):
    return x.detach().cpu().double().numpy()


def _x(rng, shape, dtype=torch.float64):
    return torch.tensor(rng.standard_normal(shape), dtype=dtype)


def _linear(rng, sd, key, d_out, d_in):
    sd[f"{key}.weight"] = rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)
    sd[f"{key}.bias"] = 0.1 * rng.standard_normal(d_out)


def _norm(rng, sd, key, d):
    sd[f"{key}.weight"] = 1.0 + 0.2 * rng.standard_normal(d)
    sd[f"{key}.bias"] = 0.1 * rng.standard_normal(d)


def vit_state(rng, image_size, patch, c, classes, dim, depth, mlp):
    n = (image_size[0] // patch) * (image_size[1] // patch)
    sd = {"patch_embed.proj.weight": rng.standard_normal((dim, c, patch, patch)) / (patch * np.sqrt(c)),
          "patch_embed.proj.bias": 0.1 * rng.standard_normal(dim),
          "cls_token": rng.standard_normal((1, 1, dim)),
          "pos_embed": 0.5 * rng.standard_normal((1, n + 1, dim))}
    for i in range(depth):
        p = f"blocks.{i}"
        _norm(rng, sd, f"{p}.norm1", dim)
        _linear(rng, sd, f"{p}.attn.qkv", 3 * dim, dim)
        _linear(rng, sd, f"{p}.attn.proj", dim, dim)
        _norm(rng, sd, f"{p}.norm2", dim)
        _linear(rng, sd, f"{p}.fc1", mlp, dim)
        _linear(rng, sd, f"{p}.fc2", dim, mlp)
    _norm(rng, sd, "norm", dim)
    _linear(rng, sd, "head", classes, dim)
    return sd


def _load(module, sd, dtype=torch.float64):
    module = module.to(dtype)
    module.load_state_dict({k: torch.tensor(v, dtype=dtype) for k, v in sd.items()}, strict=True)
    return module


# image_size, patch, channels, classes, dim, depth, heads, mlp
CONFIGS = (((8, 12), 4, 3, 5, 16, 2, 4, 32), ((6, 4), 2, 1, 3, 12, 1, 3, 20))


def _vit(sub, rng, cfg, dtype=torch.float64):
    image_size, patch, c, classes, dim, depth, heads, mlp = cfg
    m = sub.ViT(image_size, patch, c, classes, dim, depth, heads, mlp)
    return _load(m, vit_state(rng, image_size, patch, c, classes, dim, depth, mlp), dtype)


def patchify_values(sub, rng):
    obs = {}
    for shape, p in (((2, 3, 8, 12), 4), ((1, 2, 4, 6), 2), ((2, 1, 3, 3), 3)):
        x = _x(rng, shape)
        x0 = x.clone()
        key = "x".join(map(str, shape)) + f"_p{p}"
        obs[key] = _np(sub.patchify(x, p))
        obs[f"{key}.input_unchanged"] = bool(torch.equal(x, x0))
    obs["float32.dtype"] = str(sub.patchify(_x(rng, (1, 2, 4, 4), torch.float32), 2).dtype)
    return obs


def patch_embed_values(sub, rng):
    obs = {}
    for shape, p, dim in (((2, 3, 8, 12), 4, 10), ((1, 2, 6, 4), 2, 5)):
        c = shape[1]
        w = rng.standard_normal((dim, c, p, p)) / p
        b = rng.standard_normal(dim) * 0.1
        m = _load(sub.PatchEmbed(c, p, dim), {"proj.weight": w, "proj.bias": b})
        x = _x(rng, shape)
        key = "x".join(map(str, shape)) + f"_p{p}_d{dim}"
        with torch.no_grad():
            obs[f"{key}.conv"] = _np(m(x))
            obs[f"{key}.linear"] = _np(sub.patch_embed_linear(x, torch.tensor(w), torch.tensor(b), p))
    return obs


def _state_shapes(module):
    return {k.replace(".", "/"): list(v.shape) for k, v in module.state_dict().items()}


def vit_params(sub, rng):
    return {f"cfg{i}": _state_shapes(sub.ViT(*cfg)) for i, cfg in enumerate(CONFIGS)}


def vit_shapes(sub, rng):
    obs = {}
    for i, cfg in enumerate(CONFIGS):
        image_size, _, c = cfg[0], cfg[1], cfg[2]
        for dt in (torch.float32, torch.float64):
            m = sub.ViT(*cfg).to(dt)
            for batch in (1, 3):
                x = _x(rng, (batch, c, *image_size), dt)
                with torch.no_grad():
                    f, y = m.features(x), m(x)
                key = f"cfg{i}.{str(dt)[6:]}.b{batch}"
                obs[f"{key}.features"] = [list(f.shape), str(f.dtype)]
                obs[f"{key}.logits"] = [list(y.shape), str(y.dtype)]
    return obs


def vit_values(sub, rng):
    obs = {}
    for i, cfg in enumerate(CONFIGS):
        m = _vit(sub, rng, cfg).eval()
        x = _x(rng, (2, cfg[2], *cfg[0]))
        x0 = x.clone()
        with torch.no_grad():
            obs[f"cfg{i}.features"] = _np(m.features(x))  # (B, N + 1, D): class token first
            obs[f"cfg{i}.logits"] = _np(m(x))
        obs[f"cfg{i}.input_unchanged"] = bool(torch.equal(x, x0))
    return obs


def vit_grad(sub, rng):
    cfg = CONFIGS[0]
    m = _vit(sub, rng, cfg)
    x = _x(rng, (2, cfg[2], *cfg[0])).requires_grad_()
    g = _x(rng, (2, cfg[3]))  # upstream gradient of the logits
    (m(x) * g).sum().backward()
    obs = {"input": _np(x.grad)}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs
