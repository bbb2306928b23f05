"""Reference implementation for topic 04: k-means with k-means++ initialisation."""
import numpy as np


def squared_distances(X, centers):
    # (N, 1, D) - (1, K, D) -> (N, K): exact differences, no cancellation.
    diff = X[:, None, :] - centers[None, :, :]
    return np.einsum("nkd,nkd->nk", diff, diff)


def assign_clusters(X, centers):
    return np.argmin(squared_distances(X, centers), axis=1)


def update_centers(X, labels, old_centers):
    k = old_centers.shape[0]
    counts = np.bincount(labels, minlength=k)  # (K,)
    sums = np.zeros_like(old_centers, dtype=float)
    np.add.at(sums, labels, X)
    # Empty cluster: keep its old centre (and avoid 0 / 0).
    return np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], old_centers)


def wcss(X, centers, labels):
    diff = X - centers[labels]
    return float(np.sum(diff * diff))


def kmeans_plus_plus(X, k, rng):
    n = X.shape[0]
    chosen = [int(rng.integers(n))]
    d2 = squared_distances(X, X[chosen])[:, 0]  # (N,) distance to the nearest chosen centre
    for _ in range(1, k):
        idx = int(rng.choice(n, p=d2 / d2.sum()))
        chosen.append(idx)
        d2 = np.minimum(d2, squared_distances(X, X[idx:idx + 1])[:, 0])
    return X[chosen].astype(float)


def kmeans(X, k, rng, max_iter=100):
    centers = kmeans_plus_plus(X, k, rng)
    labels = None
    history = []
    for _ in range(max_iter):
        new_labels = assign_clusters(X, centers)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centers = update_centers(X, labels, centers)
        history.append(wcss(X, centers, labels))
    return centers, labels, np.array(history)
