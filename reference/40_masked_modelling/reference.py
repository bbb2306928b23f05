"""Reference implementation for topic 40: BERT 80/10/10 masking from given draws, MAE random patch
masking and unshuffling from given noise, and losses on the masked positions only."""
import torch

IGNORE = -100


def bert_masking(tokens, select_u, action_u, random_tokens, mask_token_id, mask_prob=0.15,
                 special_mask=None):
    # tokens (B, L) int64; select_u, action_u (B, L) uniforms in [0, 1); random_tokens (B, L) int64.
    selected = select_u < mask_prob  # (B, L)
    if special_mask is not None:
        selected = selected & ~special_mask  # never select [CLS], [SEP], padding
    to_mask = selected & (action_u < 0.8)
    to_random = selected & (action_u >= 0.8) & (action_u < 0.9)  # the rest (>= 0.9) keep the token
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_token_id), tokens)
    inputs = torch.where(to_random, random_tokens, inputs)
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE))
    return inputs, labels


def masked_lm_loss(logits, labels):
    # logits (B, L, V), labels (B, L) with -100 where no prediction is scored.
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                             ignore_index=IGNORE)


def mae_random_masking(x, mask_ratio, noise):
    # x (B, N, D) patches, noise (B, N) uniforms: the smallest noise values are kept.
    b, n, d = x.shape
    len_keep = int(n * (1 - mask_ratio))
    ids_shuffle = torch.argsort(noise, dim=1)  # (B, N) ascending
    ids_restore = torch.argsort(ids_shuffle, dim=1)  # (B, N) inverse permutation
    ids_keep = ids_shuffle[:, :len_keep]  # (B, K)
    x_kept = torch.gather(x, 1, ids_keep[:, :, None].expand(-1, -1, d))  # (B, K, D)
    mask = torch.ones(b, n, dtype=x.dtype, device=x.device)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, 1, ids_restore)  # (B, N) 1 = removed, in the original order
    return x_kept, mask, ids_restore


def mae_unshuffle(x_kept, mask_token, ids_restore):
    # x_kept (B, K, D), mask_token (D,), ids_restore (B, N) -> (B, N, D)
    b, k, d = x_kept.shape
    n = ids_restore.shape[1]
    fill = mask_token.to(x_kept.dtype).expand(b, n - k, d)
    full = torch.cat([x_kept, fill], dim=1)  # (B, N, D) in shuffled order
    return torch.gather(full, 1, ids_restore[:, :, None].expand(-1, -1, d))


def masked_reconstruction_loss(pred, target, mask, norm_pix=False):
    # pred, target (B, N, D); mask (B, N) 1 = removed (scored).
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, unbiased=False, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    per_patch = ((pred - target) ** 2).mean(dim=-1)  # (B, N)
    return (per_patch * mask).sum() / mask.sum()
