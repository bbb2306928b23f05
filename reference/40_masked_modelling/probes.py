"""Graded probes for topic 40 (masked modelling). Every random draw is passed in as an argument
(the uniforms of BERT's selection and 80/10/10 choice, the replacement tokens, MAE's per-patch
noise), so the grader controls them and any correct answer matches exactly. Odd numbers of patches
and mask ratios whose kept count is rounded down are included. The grader compares observations
with the same probe run on the reference, outside the student's process."""
import numpy as np
import torch


def _t(a, dtype=torch.float64):
    return torch.tensor(np.array(a), dtype=dtype)


def _np(x):
    return x.detach().cpu().double().numpy()


def _ints(x):
    return x.detach().cpu().numpy()


def _bert_inputs(rng, b, length, vocab):
    tokens = torch.tensor(rng.integers(5, vocab, size=(b, length)), dtype=torch.int64)
    select_u = _t(rng.random((b, length)))
    action_u = _t(rng.random((b, length)))
    random_tokens = torch.tensor(rng.integers(5, vocab, size=(b, length)), dtype=torch.int64)
    return tokens, select_u, action_u, random_tokens


def bert_values(sub, rng):
    obs = {}
    tokens, su, au, rt = _bert_inputs(rng, 4, 40, 50)
    keep = [t.clone() for t in (tokens, su, au, rt)]
    special = torch.zeros(4, 40, dtype=torch.bool)
    special[:, 0] = special[:, -1] = True  # [CLS] ... [SEP]
    special[1, 30:] = True  # padding of a shorter row
    for tag, kwargs in {"default": {}, "p40": {"mask_prob": 0.4},
                        "p60.special": {"mask_prob": 0.6, "special_mask": special}}.items():
        inputs, labels = sub.bert_masking(tokens, su, au, rt, 3, **kwargs)
        obs[f"{tag}.inputs"], obs[f"{tag}.labels"] = _ints(inputs), _ints(labels)
        obs[f"{tag}.dtypes"] = [str(inputs.dtype), str(labels.dtype)]
    obs["inputs_unchanged"] = all(torch.equal(a, b) for a, b in zip((tokens, su, au, rt), keep))
    return obs


def mlm_loss_values(sub, rng):
    obs = {}
    logits = _t(rng.standard_normal((3, 9, 11)) * 2)  # (B, L, V)
    labels = torch.tensor(rng.integers(0, 11, size=(3, 9)), dtype=torch.int64)
    labels[torch.tensor(rng.random((3, 9)) < 0.6)] = -100  # unscored positions
    labels[0, 0] = 4  # at least one scored position
    obs["loss"] = _np(sub.masked_lm_loss(logits, labels))
    loss32 = sub.masked_lm_loss(logits.float(), labels)
    obs["float32.loss"], obs["float32.dtype"] = _np(loss32), str(loss32.dtype)
    return obs


def _patches(rng, b, n, d):
    return _t(rng.standard_normal((b, n, d))), _t(rng.random((b, n)))


def mae_mask_values(sub, rng):
    obs = {}
    for tag, (b, n, d, ratio) in {"n16.r75": (2, 16, 5, 0.75), "n9.r60": (3, 9, 4, 0.6),
                                  "n13.r50": (2, 13, 3, 0.5), "n7.r30": (2, 7, 2, 0.3)}.items():
        x, noise = _patches(rng, b, n, d)
        keep = (x.clone(), noise.clone())
        kept, mask, restore = sub.mae_random_masking(x, ratio, noise)
        obs[f"{tag}.kept"], obs[f"{tag}.mask"] = _np(kept), _np(mask)
        obs[f"{tag}.ids_restore"] = _ints(restore)
        obs[f"{tag}.unchanged"] = bool(torch.equal(x, keep[0]) and torch.equal(noise, keep[1]))
    x, noise = _patches(rng, 2, 9, 4)
    kept, mask, _ = sub.mae_random_masking(x.float(), 0.75, noise)
    obs["float32.kept"], obs["float32.dtypes"] = _np(kept), [str(kept.dtype), str(mask.dtype)]
    return obs


def mae_unshuffle_values(sub, rng):
    obs = {}
    for tag, (b, n, k, d) in {"n9.k3": (2, 9, 3, 4), "n16.k4": (3, 16, 4, 5), "n7.k7": (1, 7, 7, 2)}.items():
        restore = torch.stack([torch.tensor(rng.permutation(n)) for _ in range(b)])  # (B, N)
        x_kept = _t(rng.standard_normal((b, k, d)))
        token = _t(rng.standard_normal(d))
        obs[tag] = _np(sub.mae_unshuffle(x_kept, token, restore))
    return obs


def mae_pipeline_values(sub, rng):
    """Mask, encode (here: identity plus 1), unshuffle with a mask token: visible patches come back
    in their places, removed ones hold the token. Odd N, kept count rounded down."""
    x, noise = _patches(rng, 2, 11, 3)
    kept, mask, restore = sub.mae_random_masking(x, 0.7, noise)  # keeps int(11 * 0.3) = 3
    token = _t(rng.standard_normal(3))
    full = sub.mae_unshuffle(kept + 1.0, token, restore)
    return {"full": _np(full), "mask": _np(mask), "removed": float(mask.sum())}


def mae_loss_values(sub, rng):
    obs = {}
    pred = _t(rng.standard_normal((2, 9, 6)))
    target = _t(rng.standard_normal((2, 9, 6)) * 3 + 1)
    mask = _t((rng.random((2, 9)) < 0.7).astype(float))
    mask[0, 0] = 1.0
    keep = [t.clone() for t in (pred, target, mask)]
    obs["plain"] = _np(sub.masked_reconstruction_loss(pred, target, mask))
    obs["norm_pix"] = _np(sub.masked_reconstruction_loss(pred, target, mask, norm_pix=True))
    l32 = sub.masked_reconstruction_loss(pred.float(), target.float(), mask.float())
    obs["float32"], obs["float32.dtype"] = _np(l32), str(l32.dtype)
    obs["inputs_unchanged"] = all(torch.equal(a, b) for a, b in zip((pred, target, mask), keep))
    return obs
