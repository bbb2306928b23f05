"""Reference implementation for topic 08: batch/SGD/mini-batch GD, stopping rule, learning-rate effects."""
import numpy as np


def lsq_loss(X, y, w):
    """Mean squared residual of X (n, d) @ w (d,) against y (n,) -> float."""
    r = X @ w - y  # (n,)
    return float(np.mean(r ** 2))


def lsq_gradient(X, y, w):
    """Gradient of lsq_loss with respect to w -> (d,)."""
    return 2.0 / X.shape[0] * (X.T @ (X @ w - y))


def batch_gd(X, y, w0, lr, n_epochs):
    """Full-batch gradient descent -> weight history (n_epochs + 1, d)."""
    w = np.array(w0, dtype=float)
    history = [w.copy()]
    for _ in range(n_epochs):
        w = w - lr * lsq_gradient(X, y, w)
        history.append(w.copy())
    return np.array(history)


def minibatch_gd(X, y, w0, lr, n_epochs, batch_size, rng):
    """Mini-batch GD, perm = rng.permutation(n) each epoch, batches in order -> (n_epochs + 1, d)."""
    n = X.shape[0]
    w = np.array(w0, dtype=float)
    history = [w.copy()]
    for _ in range(n_epochs):
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            w = w - lr * lsq_gradient(X[idx], y[idx], w)
        history.append(w.copy())
    return np.array(history)


def sgd(X, y, w0, lr, n_epochs, rng):
    """Stochastic GD: mini-batch GD with batch_size = 1 -> (n_epochs + 1, d)."""
    return minibatch_gd(X, y, w0, lr, n_epochs, 1, rng)


def gd_until_converged(grad_fn, w0, lr, tol, max_iters):
    """Gradient descent until ||grad|| < tol or max_iters updates -> (w (d,), n_iters int)."""
    w = np.array(w0, dtype=float)
    for it in range(max_iters):
        g = grad_fn(w)
        if np.linalg.norm(g) < tol:
            return w, it
        w = w - lr * g
    return w, max_iters


def quadratic_trajectory(A, x0, lr, n_steps):
    """Iterates of gradient descent on 0.5 x^T A x, starting at x0 (d,) -> (n_steps + 1, d)."""
    x = np.array(x0, dtype=float)
    traj = [x.copy()]
    for _ in range(n_steps):
        x = x - lr * (A @ x)
        traj.append(x.copy())
    return np.array(traj)


def max_stable_lr(A):
    """2 / largest eigenvalue of the symmetric positive definite matrix A (d, d) -> float."""
    return float(2.0 / np.linalg.eigvalsh(A)[-1])
