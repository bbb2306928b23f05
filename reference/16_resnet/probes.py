"""Graded probes for topic 16 (ResNet blocks). The probe builds a state dict under the documented
parameter and buffer names (conv1, bn1, ..., shortcut.0 / shortcut.1, and `<i>.` for the blocks of
a stage), loads it into the student's module with strict=True, and runs it in train mode (batch
statistics, running statistics updated) and in eval mode (running statistics) on odd, non-square
inputs, with stride 1 and 2 and with and without a change of width."""
import numpy as np
import torch

torch.set_num_threads(1)  # the same arithmetic on both sides


def _np(x):
    return x.detach().cpu().double().numpy()


def _conv(rng, sd, key, c_out, c_in, k):
    sd[f"{key}.weight"] = rng.standard_normal((c_out, c_in, k, k)) * np.sqrt(2.0 / (c_in * k * k))


def _bn(rng, sd, key, c):
    sd[f"{key}.weight"] = 1.0 + 0.3 * rng.standard_normal(c)  # gamma
    sd[f"{key}.bias"] = 0.3 * rng.standard_normal(c)  # beta
    sd[f"{key}.running_mean"] = 0.3 * rng.standard_normal(c)
    sd[f"{key}.running_var"] = rng.uniform(0.5, 2.0, c)
    sd[f"{key}.num_batches_tracked"] = 0


def _shortcut(rng, sd, p, c_in, c_out, stride):
    if stride != 1 or c_in != c_out:  # projection: 1x1 conv with the stride, then BatchNorm
        _conv(rng, sd, f"{p}shortcut.0", c_out, c_in, 1)
        _bn(rng, sd, f"{p}shortcut.1", c_out)


def basic_state(rng, c_in, c_out, stride, p=""):
    sd = {}
    _conv(rng, sd, f"{p}conv1", c_out, c_in, 3)
    _bn(rng, sd, f"{p}bn1", c_out)
    _conv(rng, sd, f"{p}conv2", c_out, c_out, 3)
    _bn(rng, sd, f"{p}bn2", c_out)
    _shortcut(rng, sd, p, c_in, c_out, stride)
    return sd


def bottleneck_state(rng, c_in, mid, stride, p=""):
    sd = {}
    _conv(rng, sd, f"{p}conv1", mid, c_in, 1)
    _bn(rng, sd, f"{p}bn1", mid)
    _conv(rng, sd, f"{p}conv2", mid, mid, 3)
    _bn(rng, sd, f"{p}bn2", mid)
    _conv(rng, sd, f"{p}conv3", 4 * mid, mid, 1)
    _bn(rng, sd, f"{p}bn3", 4 * mid)
    _shortcut(rng, sd, p, c_in, 4 * mid, stride)
    return sd


def stage_state(rng, kind, c_in, channels, num_blocks, stride):
    make, expansion = (basic_state, 1) if kind == "basic" else (bottleneck_state, 4)
    sd = make(rng, c_in, channels, stride, p="0.")
    for i in range(1, num_blocks):
        sd.update(make(rng, channels * expansion, channels, 1, p=f"{i}."))
    return sd


def _load(module, sd, dtype=torch.float64):
    module = module.to(dtype)
    state = {k: (torch.tensor(v, dtype=torch.long) if k.endswith("num_batches_tracked")
                 else torch.tensor(v, dtype=dtype)) for k, v in sd.items()}
    module.load_state_dict(state, strict=True)
    return module


def _state_shapes(module):
    return {k.replace(".", "/"): list(v.shape) for k, v in module.state_dict().items()}


def _running(module):
    """Running statistics after a forward pass (num_batches_tracked left out: it only matters
    with momentum=None, which these blocks do not use)."""
    return {k.replace(".", "/"): _np(v) for k, v in module.state_dict().items()
            if k.endswith(("running_mean", "running_var"))}


def _x(rng, shape, dtype=torch.float64):
    return torch.tensor(rng.standard_normal(shape), dtype=dtype)


def _run_both_modes(module, x):
    """Train mode (batch statistics; updates the running ones), then eval mode on the same input."""
    x0 = x.clone()
    module.train()
    with torch.no_grad():
        out_train = module(x)
    running = _running(module)
    module.eval()
    with torch.no_grad():
        out_eval = module(x)
    return {"train": _np(out_train), "running": running, "eval": _np(out_eval),
            "input_unchanged": bool(torch.equal(x, x0))}


BASIC_CASES = ((8, 8, 1), (6, 10, 2), (8, 8, 2), (6, 10, 1))  # identity, both, stride, width


def basic_params(sub, rng):
    obs = {}
    for c_in, c_out, stride in BASIC_CASES:
        key = f"{c_in}_{c_out}_s{stride}"
        m = sub.BasicBlock(c_in, c_out, stride)
        obs[f"{key}.state"] = _state_shapes(m)
        for dt in (torch.float32, torch.float64):
            y = m.to(dt)(_x(rng, (2, c_in, 9, 7), dt))  # odd, non-square
            obs[f"{key}.{str(dt)[6:]}.out"] = [list(y.shape), str(y.dtype)]
    obs["expansion"] = int(sub.BasicBlock.expansion)
    return obs


def basic_train_values(sub, rng):
    obs = {}
    for c_in, c_out, stride in BASIC_CASES[:3]:
        m = _load(sub.BasicBlock(c_in, c_out, stride), basic_state(rng, c_in, c_out, stride))
        res = _run_both_modes(m, _x(rng, (3, c_in, 9, 7)))
        key = f"{c_in}_{c_out}_s{stride}"
        obs[f"{key}.out"] = res["train"]
        obs[f"{key}.running"] = res["running"]
        obs[f"{key}.input_unchanged"] = res["input_unchanged"]
    return obs


def basic_eval_values(sub, rng):
    obs = {}
    for c_in, c_out, stride in BASIC_CASES[:3]:
        m = _load(sub.BasicBlock(c_in, c_out, stride), basic_state(rng, c_in, c_out, stride)).eval()
        x = _x(rng, (2, c_in, 7, 10))
        with torch.no_grad():
            obs[f"{c_in}_{c_out}_s{stride}"] = _np(m(x))
        obs[f"{c_in}_{c_out}_s{stride}.running_unchanged"] = _running(m)  # eval leaves them alone
    return obs


def basic_grad(sub, rng):
    m = _load(sub.BasicBlock(6, 10, 2), basic_state(rng, 6, 10, 2)).train()
    x = _x(rng, (3, 6, 9, 7)).requires_grad_()
    g = _x(rng, (3, 10, 5, 4))  # upstream gradient of the output
    (m(x) * g).sum().backward()
    obs = {"input": _np(x.grad)}
    for name, p in m.named_parameters():
        obs[f"param.{name}"] = _np(p.grad) if p.grad is not None else np.zeros(1)
    return obs


BOTTLENECK_CASES = ((16, 4, 1), (8, 4, 1), (16, 4, 2), (6, 3, 2))


def bottleneck_shapes(sub, rng):
    obs = {"expansion": int(sub.Bottleneck.expansion)}
    for c_in, mid, stride in BOTTLENECK_CASES:
        key = f"{c_in}_{mid}_s{stride}"
        m = sub.Bottleneck(c_in, mid, stride)
        obs[f"{key}.state"] = _state_shapes(m)
        for dt in (torch.float32, torch.float64):
            y = m.to(dt)(_x(rng, (2, c_in, 9, 11), dt))
            obs[f"{key}.{str(dt)[6:]}.out"] = [list(y.shape), str(y.dtype)]
    return obs


def bottleneck_values(sub, rng):
    obs = {}
    for c_in, mid, stride in BOTTLENECK_CASES:
        m = _load(sub.Bottleneck(c_in, mid, stride), bottleneck_state(rng, c_in, mid, stride))
        res = _run_both_modes(m, _x(rng, (3, c_in, 9, 11)))
        key = f"{c_in}_{mid}_s{stride}"
        for part in ("train", "running", "eval", "input_unchanged"):
            obs[f"{key}.{part}"] = res[part]
    return obs


STAGE_CASES = (("BasicBlock", "basic", 6, 8, 3, 2), ("Bottleneck", "bottleneck", 8, 4, 2, 2),
               ("BasicBlock", "basic", 8, 8, 2, 1))


def stage_shapes(sub, rng):
    obs = {}
    for cls, kind, c_in, ch, n, stride in STAGE_CASES:
        key = f"{kind}_{c_in}_{ch}_n{n}_s{stride}"
        stage = sub.make_stage(getattr(sub, cls), c_in, ch, n, stride)
        obs[f"{key}.state"] = _state_shapes(stage)
        obs[f"{key}.length"] = len(stage)
        stage = stage.double()
        y = stage(_x(rng, (2, c_in, 11, 7)))
        obs[f"{key}.out"] = [list(y.shape), str(y.dtype)]
    return obs


def stage_values(sub, rng):
    obs = {}
    for cls, kind, c_in, ch, n, stride in STAGE_CASES[:2]:
        stage = _load(sub.make_stage(getattr(sub, cls), c_in, ch, n, stride),
                      stage_state(rng, kind, c_in, ch, n, stride))
        res = _run_both_modes(stage, _x(rng, (2, c_in, 11, 7)))
        key = f"{kind}_{c_in}_{ch}_n{n}_s{stride}"
        obs[f"{key}.train"] = res["train"]
        obs[f"{key}.eval"] = res["eval"]
    return obs
