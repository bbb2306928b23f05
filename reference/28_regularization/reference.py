"""Reference implementation for topic 28: inverted dropout, L1/L2 penalties, weight decay, early
stopping.

Conventions: dropout draws exactly one array, keep = rng.random(x.shape) >= p, and scales kept
values by 1 / (1 - p); eval mode draws nothing and returns x. L1 penalty = lam * sum|w| with
gradient lam * sign(w) (0 at w = 0); L2 penalty = lam / 2 * sum w^2 with gradient lam * w.
Early stopping: epoch e improves when loss[e] < best - min_delta; the run stops at the first epoch
where the number of epochs since the last improvement reaches patience.
"""
import numpy as np


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x.copy(), np.ones(x.shape, dtype=bool)
    keep = rng.random(x.shape) >= p
    return x * keep / (1.0 - p), keep


def dropout_backward(grad_out, mask, p):
    return grad_out * mask / (1.0 - p)


def l1_penalty(w, lam):
    return float(lam * np.sum(np.abs(w)))


def l1_grad(w, lam):
    return lam * np.sign(w)


def l2_penalty(w, lam):
    return float(0.5 * lam * np.sum(w * w))


def l2_grad(w, lam):
    return lam * w


def sgd_weight_decay_step(w, grad, lr, weight_decay):
    return w - lr * (grad + weight_decay * w)


class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = float("inf")
        self.best_epoch = -1
        self.counter = 0
        self.epoch = -1
        self.stopped = False

    def step(self, val_loss):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = self.epoch
            self.counter = 0
        else:
            self.counter += 1
        self.stopped = self.counter >= self.patience
        return self.stopped


def early_stopping(val_losses, patience, min_delta=0.0):
    stopper = EarlyStopping(patience, min_delta)
    for epoch, loss in enumerate(val_losses):
        if stopper.step(loss):
            return epoch, stopper.best_epoch
    return None, stopper.best_epoch
