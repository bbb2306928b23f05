"""Graded probes for topic 04. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process.
The convergence probes are fed: the grader runs ``blobs_task`` / ``digits_task`` on its own secret
stream, sends the points to cluster and keeps the held-out points and the true blobs (names
starting with ``_``); the probe returns the centres of every run, and verdicts.py assigns the
held-out points to them with the reference's own assignment."""
import numpy as np
from sklearn.datasets import load_digits  # bundled with scikit-learn: nothing is downloaded
from autograder.checks.calls import watch_inputs


def _blob_means(rng, k, dim, min_gap):
    while True:  # redraw until every pair of centres is far apart (deterministic given rng)
        means = rng.uniform(-25, 25, size=(k, dim))  # (K, D)
        gaps = np.linalg.norm(means[:, None] - means[None], axis=-1) + np.eye(k) * 1e9
        if gaps.min() >= min_gap:
            return means


def make_blobs(rng, k=5, dim=4, per_cluster=60, min_gap=14.0):
    """Well-separated Gaussian blobs (unit spread, centres at least min_gap apart), shuffled.
    Returns X (k*per_cluster, dim) and the true blob of each row."""
    means = _blob_means(rng, k, dim, min_gap)  # (K, D)
    truth = np.repeat(np.arange(k), per_cluster)  # (N,)
    X = means[truth] + rng.standard_normal((k * per_cluster, dim))  # (N, D)
    order = rng.permutation(len(truth))
    return X[order], truth[order]


def _points_and_centers(rng, n=40, k=5, dim=3):
    X = rng.standard_normal((n, dim)) * 2  # (N, D)
    centers = rng.standard_normal((k, dim)) * 2  # (K, D)
    return X, centers


@watch_inputs
def assign_values(sub, rng):
    X, centers = _points_and_centers(rng)
    X1, c1 = _points_and_centers(rng, n=25, k=1, dim=6)  # a single cluster: every label is 0
    # Ties: a duplicated centre is equally close; the smaller index wins (np.argmin's rule).
    dup = np.concatenate([centers[:2], centers[:1], centers[2:]])  # (K + 1, D): rows 0 and 2 equal
    # squared_distances is promised too, not only the labels it leads to; a distance from a point
    # to itself is exactly the regime where the expanded formula rounds below zero.
    # 60 points of norm ~100 against themselves: the unclipped expansion goes below zero somewhere
    # on the diagonal at every seed (0 of 2000 seeds stayed non-negative).
    Xs = rng.standard_normal((60, 4)) * 30 + rng.uniform(-50, 50, 4)  # (60, 4)
    d_self = np.asarray(sub.squared_distances(Xs.copy(), Xs.copy()))
    return {"labels": sub.assign_clusters(X.copy(), centers.copy()),
            "one_cluster": sub.assign_clusters(X1.copy(), c1.copy()),
            "duplicate_centre": np.asarray(sub.assign_clusters(X.copy(), dup)).astype(np.int64),
            "squared_distances": sub.squared_distances(X.copy(), centers.copy()),
            "squared_distances_self": d_self,
            "squared_distances_nonnegative": bool(np.all(d_self >= 0))}


@watch_inputs
def update_values(sub, rng):
    X, centers = _points_and_centers(rng, n=50, k=4)
    labels = rng.integers(0, 4, size=50)
    labels[:4] = np.arange(4)  # every cluster has at least one member
    return {"centers": sub.update_centers(X.copy(), labels.copy(), centers.copy())}


@watch_inputs
def update_empty_cluster(sub, rng):
    X, centers = _points_and_centers(rng, n=30, k=5)
    labels = rng.choice([0, 2, 4], size=30)  # clusters 1 and 3 are empty: they keep their centres
    labels[:3] = [0, 2, 4]
    return {"centers": sub.update_centers(X.copy(), labels.copy(), centers.copy())}


@watch_inputs
def wcss_values(sub, rng):
    X, centers = _points_and_centers(rng, n=60, k=4)
    labels = rng.integers(0, 4, size=60)
    return {"wcss": sub.wcss(X.copy(), centers.copy(), labels.copy()),
            "zero": sub.wcss(centers.copy(), centers.copy(), np.arange(4))}


@watch_inputs
def kmeanspp_values(sub, rng):
    # The same generator state on both sides: the exact draws (rng.integers(n) first, then one
    # rng.choice(n, p=d2 / d2.sum()) per further centre) give the same centres.
    obs = {}
    for i, (n, k, dim) in enumerate([(30, 3, 2), (80, 6, 5), (50, 1, 3)]):
        X = rng.standard_normal((n, dim)) * 3  # (N, D)
        seed = int(rng.integers(2**32))
        obs[f"centers{i}"] = sub.kmeans_plus_plus(X.copy(), k, np.random.default_rng(seed))  # (K, D)
    return obs


@watch_inputs
def kmeans_values(sub, rng):
    X, _ = make_blobs(rng, k=4, dim=3, per_cluster=25, min_gap=6.0)  # (100, 3)
    seed = int(rng.integers(2**32))
    centers, labels, history = sub.kmeans(X.copy(), 4, np.random.default_rng(seed), max_iter=50)
    X2 = rng.standard_normal((60, 2))  # no structure at all: many iterations before it settles
    seed2 = int(rng.integers(2**32))
    centers2, labels2, history2 = sub.kmeans(X2.copy(), 5, np.random.default_rng(seed2), max_iter=3)
    return {"blobs.centers": centers, "blobs.labels": labels, "blobs.history": history,
            "capped.centers": centers2, "capped.labels": labels2, "capped.history": history2}


def blobs_task(rng, k=5, dim=4, per_cluster=60, held_out_per_cluster=40, min_gap=14.0, n_init=4):
    """Run by the grader, not here: blobs to cluster (sent) and more points of the same blobs with
    their true blob (kept), plus one k-means++ seed per run (best of n_init, as library k-means)."""
    means = _blob_means(rng, k, dim, min_gap)  # (K, D)

    def points(per):
        truth = rng.permutation(np.repeat(np.arange(k), per))  # (N,)
        return means[truth] + rng.standard_normal((len(truth), dim)), truth  # (N, D), (N,)

    X, _ = points(per_cluster)
    X_test, y_test = points(held_out_per_cluster)
    return {"X": X, "seeds": rng.integers(2**32, size=n_init),
            "_X_train": X, "_X_test": X_test, "_y_test": y_test}


def digits_task(rng, n_train=1200, n_init=3):
    """Run by the grader, not here: the bundled 8x8 digits are in the sandbox too, so it sends a
    secret random subset in a secret orthonormal basis (a rotation: distances, and so k-means, are
    unchanged, but centres worked out beforehand on the bundled set are no use) and keeps the rest
    as the held-out set."""
    X = load_digits().data.astype(float)  # (1797, 64) pixel intensities 0..16
    Q, _ = np.linalg.qr(rng.standard_normal((X.shape[1], X.shape[1])))  # (64, 64) orthonormal
    X = X[rng.permutation(len(X))] @ Q  # (1797, 64)
    return {"X": X[:n_train], "seeds": rng.integers(2**32, size=n_init),
            "_X_train": X[:n_train], "_X_test": X[n_train:]}


def _centres_and_history(result):
    # only what is scored stays in the probe's frame (not a run's labels, which a later run could
    # pick up and take one more Lloyd step from)
    centers, _, history = result
    return np.asarray(centers, dtype=float), np.asarray(history, dtype=float).reshape(-1)


def _runs(sub, k, max_iter):
    def cluster(X, seeds):
        out = {}
        for i, seed in enumerate(np.asarray(seeds).reshape(-1)):
            out[f"centers{i}"], out[f"history{i}"] = _centres_and_history(  # (K, D), (n_iter,)
                sub.kmeans(X.copy(), k, np.random.default_rng(int(seed)), max_iter=max_iter))
        return out
    return cluster


def blobs_convergence(sub, rng, k=5, max_iter=100):
    # Fed (blobs_task): the centres of every run; the verdict keeps the best on the training points
    # and scores the held-out points' assignment against the true blobs.
    return _runs(sub, k, max_iter)


def digits_convergence(sub, rng, k=10, max_iter=100):
    # Fed (digits_task): the centres of every run; the verdict keeps the best on the training points
    # and measures the held-out digits' WCSS against the reference's centres.
    return _runs(sub, k, max_iter)
