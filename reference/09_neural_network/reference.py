"""Reference implementation for topic 09: a two-layer MLP in NumPy (init, layers, BCE, backprop,
SGD) trained on XOR-like data."""
import numpy as np


def init_params(n_in, n_hidden, n_out, rng):
    # Draw order is part of the contract: W1 first, then W2 (biases start at zero).
    W1 = rng.standard_normal((n_in, n_hidden)) * np.sqrt(2.0 / n_in)  # He: ReLU follows
    W2 = rng.standard_normal((n_hidden, n_out)) * np.sqrt(2.0 / (n_hidden + n_out))  # Xavier
    return {"W1": W1, "b1": np.zeros(n_hidden), "W2": W2, "b2": np.zeros(n_out)}


def linear_forward(x, W, b):
    return x @ W + b  # (N, D_in) @ (D_in, D_out) + (D_out,) -> (N, D_out)


def linear_backward(x, W, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


def relu(z):
    return np.maximum(z, 0.0)


def relu_backward(z, grad_out):
    return grad_out * (z > 0)


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(z, grad_out):
    s = sigmoid(z)
    return grad_out * s * (1.0 - s)


def bce_with_logits(logits, y):
    # log(1 + e^z) - y z, with log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}) so nothing overflows.
    return float(np.mean(np.maximum(logits, 0.0) + np.log1p(np.exp(-np.abs(logits))) - y * logits))


def bce_with_logits_backward(logits, y):
    return (sigmoid(logits) - y) / logits.size


def mlp_forward(params, X):
    z1 = linear_forward(X, params["W1"], params["b1"])  # (N, H)
    h = relu(z1)
    z2 = linear_forward(h, params["W2"], params["b2"])  # (N, 1)
    return z2[:, 0], {"X": X, "z1": z1, "h": h}


def mlp_loss_and_grads(params, X, y):
    logits, cache = mlp_forward(params, X)
    loss = bce_with_logits(logits, y)
    dz2 = bce_with_logits_backward(logits, y)[:, None]  # (N, 1)
    dh, dW2, db2 = linear_backward(cache["h"], params["W2"], dz2)
    dz1 = relu_backward(cache["z1"], dh)
    _, dW1, db1 = linear_backward(X, params["W1"], dz1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def predict(params, X):
    logits, _ = mlp_forward(params, X)
    return (logits > 0).astype(np.int64)


def train_mlp(X, y, n_hidden=16, lr=0.5, n_steps=500, seed=0):
    params = init_params(X.shape[1], n_hidden, 1, np.random.default_rng(seed))
    losses = []
    for _ in range(n_steps):
        loss, grads = mlp_loss_and_grads(params, X, y)
        losses.append(loss)
        sgd_step(params, grads, lr)
    return params, np.asarray(losses)
