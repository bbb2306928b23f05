"""Reference implementation for topic 01: scaling, imputation, IQR outliers, seeded split."""
import numpy as np


def standardize_fit(X):
    """Per-column mean and population std of X (n, d) -> (mean (d,), std (d,)); std 0 -> 1."""
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    return mean, std


def standardize_transform(X, mean, std):
    """(X - mean) / std for X (m, d) with parameters from standardize_fit -> (m, d)."""
    return (X - mean) / std


def minmax_fit(X):
    """Per-column min and max of X (n, d) -> (lo (d,), hi (d,))."""
    return X.min(axis=0), X.max(axis=0)


def minmax_transform(X, lo, hi):
    """(X - lo) / (hi - lo), with a zero range replaced by 1. X (m, d) -> (m, d)."""
    rng = hi - lo
    rng = np.where(rng == 0, 1.0, rng)
    return (X - lo) / rng


def scale_train_test(X_train, X_test, method="standard"):
    """Fit the scaler on X_train (n, d) only; return (scaled X_train (n, d), scaled X_test (m, d))."""
    if method == "standard":
        mean, std = standardize_fit(X_train)
        return standardize_transform(X_train, mean, std), standardize_transform(X_test, mean, std)
    if method == "minmax":
        lo, hi = minmax_fit(X_train)
        return minmax_transform(X_train, lo, hi), minmax_transform(X_test, lo, hi)
    raise ValueError(f"unknown method {method!r}")


def impute_fit(X, strategy="mean"):
    """Column mean or median of the non-NaN values of X (n, d) -> fill (d,)."""
    if strategy == "mean":
        return np.nanmean(X, axis=0)
    if strategy == "median":
        return np.nanmedian(X, axis=0)
    raise ValueError(f"unknown strategy {strategy!r}")


def impute_transform(X, fill):
    """Copy of X (m, d) with each NaN in column j replaced by fill[j] -> (m, d)."""
    return np.where(np.isnan(X), fill, X)


def iqr_outlier_mask(X, k=1.5):
    """Boolean (n, d): True where X (n, d) is outside [Q1 - k IQR, Q3 + k IQR] of its column."""
    q1, q3 = np.percentile(X, [25, 75], axis=0)
    iqr = q3 - q1
    return (X < q1 - k * iqr) | (X > q3 + k * iqr)


def train_test_split(X, y, test_fraction, rng):
    """Split rows with perm = rng.permutation(n): test = perm[:n_test], train = perm[n_test:]."""
    n = len(X)
    perm = rng.permutation(n)
    n_test = int(round(test_fraction * n))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
