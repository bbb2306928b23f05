"""Reference implementation for topic 03: logistic regression (stable sigmoid, BCE, GD, metrics)."""
import numpy as np


def sigmoid(z):
    """Logistic function, element-wise, without overflow. z: any shape -> same shape."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_loss(X, y, w, b):
    """Mean binary cross-entropy of sigmoid(X @ w + b) against y, stable for large |z| -> float."""
    z = X @ w + b  # (n,)
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(loss))


def bce_gradients(X, y, w, b):
    """Gradient of bce_loss with respect to w and b -> (dw (d,), db float)."""
    err = sigmoid(X @ w + b) - y  # (n,)
    return X.T @ err / len(y), float(np.mean(err))


def fit_logistic(X, y, lr=0.5, n_steps=300):
    """Batch gradient descent on the mean BCE from zeros -> (w (d,), b float, losses (n_steps,))."""
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = np.empty(n_steps)
    for step in range(n_steps):
        losses[step] = bce_loss(X, y, w, b)
        dw, db = bce_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
    return w, float(b), losses


def predict(X, w, b):
    """Labels 0/1 (n,) ints: 1 where X @ w + b >= 0."""
    return (X @ w + b >= 0).astype(np.int64)


def confusion_matrix(y_true, y_pred):
    """[[TN, FP], [FN, TP]] as a (2, 2) int array for 0/1 labels y_true, y_pred (n,)."""
    y_true = np.asarray(y_true).astype(np.int64)
    y_pred = np.asarray(y_pred).astype(np.int64)
    cm = np.zeros((2, 2), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def precision_recall_f1(y_true, y_pred):
    """(precision, recall, f1) floats; a score with a zero denominator is 0.0."""
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return float(precision), float(recall), float(f1)
