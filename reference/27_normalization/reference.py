"""Reference implementation for topic 27: BatchNorm, LayerNorm, GroupNorm, InstanceNorm.

Conventions (PyTorch's): eps is added to the variance inside the square root; the variance used to
normalise is the biased one (divide by the number of values); BatchNorm's running variance is
updated with the unbiased batch variance (divide by N - 1); momentum weights the new batch value:
running = (1 - momentum) * running + momentum * batch.
"""
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train=True, momentum=0.1,
                      eps=1e-5):
    n = x.shape[0]
    if train:
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        new_mean = (1.0 - momentum) * running_mean + momentum * mu
        new_var = (1.0 - momentum) * running_var + momentum * var * (n / (n - 1))
    else:
        mu, var = running_mean, running_var
        new_mean, new_var = np.array(running_mean, copy=True), np.array(running_var, copy=True)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return out, new_mean, new_var


def _norm_backward(xhat, inv_std, dxhat, axis):
    # d xhat / d x has three paths: directly, through the mean and through the variance.
    return inv_std * (dxhat - dxhat.mean(axis=axis, keepdims=True)
                      - xhat * (dxhat * xhat).mean(axis=axis, keepdims=True))


def batchnorm_backward(x, gamma, grad_out, eps=1e-5):
    mu = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - mu) * inv_std
    dgamma = (grad_out * xhat).sum(axis=0)
    dbeta = grad_out.sum(axis=0)
    dx = _norm_backward(xhat, inv_std, grad_out * gamma, axis=0)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(x, gamma, grad_out, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - mu) * inv_std
    dgamma = (grad_out * xhat).sum(axis=0)
    dbeta = grad_out.sum(axis=0)
    dx = _norm_backward(xhat, inv_std, grad_out * gamma, axis=-1)
    return dx, dgamma, dbeta


def groupnorm_forward(x, gamma, beta, num_groups, eps=1e-5):
    n, c, h, w = x.shape
    xg = x.reshape(n, num_groups, -1)  # (N, G, C//G * H * W)
    mu = xg.mean(axis=-1, keepdims=True)
    var = xg.var(axis=-1, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(n, c, h, w)
    return gamma.reshape(1, c, 1, 1) * xhat + beta.reshape(1, c, 1, 1)


def groupnorm_backward(x, gamma, grad_out, num_groups, eps=1e-5):
    n, c, h, w = x.shape
    xg = x.reshape(n, num_groups, -1)
    inv_std = 1.0 / np.sqrt(xg.var(axis=-1, keepdims=True) + eps)
    xhat = (xg - xg.mean(axis=-1, keepdims=True)) * inv_std  # (N, G, C//G * H * W)
    dgamma = (grad_out * xhat.reshape(x.shape)).sum(axis=(0, 2, 3))
    dbeta = grad_out.sum(axis=(0, 2, 3))
    dxhat = (grad_out * gamma.reshape(1, c, 1, 1)).reshape(n, num_groups, -1)
    dx = _norm_backward(xhat, inv_std, dxhat, axis=-1).reshape(x.shape)
    return dx, dgamma, dbeta


def instancenorm_forward(x, gamma, beta, eps=1e-5):
    return groupnorm_forward(x, gamma, beta, num_groups=x.shape[1], eps=eps)
