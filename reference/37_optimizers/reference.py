"""Reference implementation for topic 37: first-order optimizers, a warmup + cosine learning-rate
schedule and global gradient-norm clipping. Every optimizer updates its parameter arrays in place."""
import math

import numpy as np


class SGD:
    def __init__(self, params, lr=0.01):
        self.params, self.lr = list(params), lr

    def step(self, grads):
        for p, g in zip(self.params, grads):
            p -= self.lr * g


class Momentum:
    def __init__(self, params, lr=0.01, beta=0.9):
        self.params, self.lr, self.beta = list(params), lr, beta
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            v *= self.beta
            v += g
            p -= self.lr * v


class Nesterov(Momentum):
    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            v *= self.beta
            v += g
            p -= self.lr * (g + self.beta * v)  # look ahead along the new velocity


class AdaGrad:
    def __init__(self, params, lr=0.01, eps=1e-10):
        self.params, self.lr, self.eps = list(params), lr, eps
        self.s = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for p, g, s in zip(self.params, grads, self.s):
            s += g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)


class RMSprop:
    def __init__(self, params, lr=0.01, rho=0.9, eps=1e-8):
        self.params, self.lr, self.rho, self.eps = list(params), lr, rho, eps
        self.s = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for p, g, s in zip(self.params, grads, self.s):
            s *= self.rho
            s += (1 - self.rho) * g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def _adam(self, grads):
        b1, b2 = self.betas
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            m_hat = m / (1 - b1 ** self.t)
            v_hat = v / (1 - b2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def step(self, grads):
        self._adam(grads)


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        self.weight_decay = weight_decay

    def step(self, grads):
        for p in self.params:  # decoupled: shrink the weights, outside the adaptive scaling
            p -= self.lr * self.weight_decay * p
        self._adam(grads)


def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress))


def clip_grad_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    scale = max_norm / total if total > max_norm else 1.0
    return [g * scale for g in grads], total
