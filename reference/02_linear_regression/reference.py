"""Reference implementation for topic 02: linear regression (normal equation, MSE gradient, GD, R^2)."""
import numpy as np


def predict(X, w, b):
    """Linear predictions X @ w + b. X: (n, d), w: (d,), b: float -> (n,)."""
    return X @ w + b


def mse(y_pred, y):
    """Mean squared error between two (n,) arrays -> float."""
    return float(np.mean((y_pred - y) ** 2))


def normal_equation(X, y):
    """Least-squares (w, b) in closed form. X: (n, d), y: (n,) -> (w (d,), b float)."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])  # (n, d + 1)
    theta = np.linalg.solve(A.T @ A, A.T @ y)  # (d + 1,)
    return theta[:-1], float(theta[-1])


def mse_gradients(X, y, w, b):
    """Gradient of mse(predict(X, w, b), y) -> (dw (d,), db float)."""
    n = X.shape[0]
    r = X @ w + b - y  # (n,)
    return 2.0 / n * (X.T @ r), float(2.0 / n * np.sum(r))


def fit_gd(X, y, lr=0.1, n_steps=200):
    """Batch gradient descent on the MSE from zeros -> (w (d,), b float, losses (n_steps,))."""
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = np.empty(n_steps)
    for step in range(n_steps):
        losses[step] = mse(predict(X, w, b), y)
        dw, db = mse_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
    return w, float(b), losses


def r2_score(y, y_pred):
    """Coefficient of determination of predictions y_pred (n,) for targets y (n,) -> float."""
    ss_res = np.sum((y - y_pred) ** 2)
    ss_tot = np.sum((y - np.mean(y)) ** 2)
    return float(1.0 - ss_res / ss_tot)
