"""Reference implementation for topic 05: PCA through the SVD of the centred data."""
import numpy as np


def center(X):
    mean = X.mean(axis=0)
    return X - mean, mean


def _fix_signs(components):
    # Convention: the entry of largest magnitude in each component is positive.
    rows = np.arange(components.shape[0])
    signs = np.sign(components[rows, np.argmax(np.abs(components), axis=1)])
    return components * np.where(signs == 0, 1.0, signs)[:, None]


def pca_fit(X, n_components):
    Xc, mean = center(X)
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    variance = s ** 2 / (X.shape[0] - 1)  # variance along each principal axis
    components = _fix_signs(vt[:n_components])
    ratio = variance / variance.sum()
    return components, variance[:n_components], ratio[:n_components], mean


def pca_transform(X, components, mean):
    return (X - mean) @ components.T


def pca_inverse_transform(Z, components, mean):
    return Z @ components + mean


def choose_n_components(X, threshold):
    _, _, ratio, _ = pca_fit(X, min(X.shape))
    # Smallest k whose cumulative ratio reaches the threshold (the tiny slack absorbs rounding).
    return int(np.searchsorted(np.cumsum(ratio), threshold - 1e-12) + 1)
