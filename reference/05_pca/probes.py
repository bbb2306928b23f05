"""Graded probes for topic 05. Each feeds seeded inputs (synthetic data and the bundled 8x8 digits)
to the code under test and returns what it computed; the grader compares the same probe run on the
reference, outside the student's process. Principal directions have no intrinsic sign: the verdict
(reference/05_pca/verdicts.py) compares components and projections up to a sign per component."""
import numpy as np
from sklearn.datasets import load_digits  # bundled with scikit-learn: nothing is downloaded
from autograder.checks.calls import watch_inputs


def synthetic(rng, n=200, dim=6):
    """Correlated Gaussian data with clearly distinct variances along a random rotation, off-centre."""
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))  # (D, D) random orthonormal basis
    scales = np.geomspace(5.0, 0.2, dim)  # distinct: every component is well defined
    return (rng.standard_normal((n, dim)) * scales) @ q.T + rng.uniform(-10, 10, dim)  # (N, D)


def digits(rng, n=500):
    X = load_digits().data.astype(float)  # (1797, 64)
    return X[np.sort(rng.choice(len(X), size=n, replace=False))]  # a seeded subset, (n, 64)


@watch_inputs
def center_values(sub, rng):
    X = synthetic(rng, n=50, dim=4)
    Xc, mean = sub.center(X.copy())
    return {"centered": Xc, "mean": mean}


@watch_inputs
def components_values(sub, rng):
    Xs, Xd = synthetic(rng), digits(rng)
    cs, _, _, ms = sub.pca_fit(Xs.copy(), 4)
    cd, _, _, md = sub.pca_fit(Xd.copy(), 8)
    return {"components.synthetic": cs, "components.digits": cd, "mean.synthetic": ms,
            "mean.digits": md}


@watch_inputs
def variance_values(sub, rng):
    Xs, Xd = synthetic(rng), digits(rng)
    _, vs, rs, _ = sub.pca_fit(Xs.copy(), 6)
    _, vd, rd, _ = sub.pca_fit(Xd.copy(), 12)
    return {"variance.synthetic": vs, "ratio.synthetic": rs, "variance.digits": vd, "ratio.digits": rd}


@watch_inputs
def projection_values(sub, rng):
    Xs, Xd = synthetic(rng), digits(rng)
    obs = {}
    for name, X, k in (("synthetic", Xs, 3), ("digits", Xd, 10)):
        comps, _, _, mean = sub.pca_fit(X.copy(), k)
        # New points, not the training ones: the transform must use the training mean.
        new = X[:20] + rng.standard_normal((20, X.shape[1]))
        obs[f"projection.{name}"] = sub.pca_transform(new.copy(), np.array(comps), np.array(mean))
    return obs


@watch_inputs
def reconstruction_values(sub, rng):
    Xs, Xd = synthetic(rng), digits(rng)
    obs = {}
    for name, X, k in (("synthetic", Xs, 2), ("digits", Xd, 20)):
        comps, _, _, mean = sub.pca_fit(X.copy(), k)
        z = sub.pca_transform(X.copy(), np.array(comps), np.array(mean))
        x_hat = np.asarray(sub.pca_inverse_transform(np.array(z), np.array(comps), np.array(mean)))
        obs[f"reconstruction.{name}"] = x_hat
        obs[f"error.{name}"] = float(np.mean((X - x_hat) ** 2))
    # All components: the reconstruction is exact.
    comps, _, _, mean = sub.pca_fit(Xs.copy(), Xs.shape[1])
    z = sub.pca_transform(Xs.copy(), np.array(comps), np.array(mean))
    obs["full_rank"] = sub.pca_inverse_transform(np.array(z), np.array(comps), np.array(mean))
    return obs


@watch_inputs
def shapes(sub, rng):
    # Shapes only: wide data (fewer points than features), k = 1, float32 input.
    obs = {}
    for i, (n, d, k) in enumerate([(5, 12, 4), (40, 3, 1), (30, 7, 7)]):
        X = rng.standard_normal((n, d)).astype(np.float32)
        comps, var, ratio, mean = sub.pca_fit(X.copy(), k)
        z = sub.pca_transform(X.copy(), np.array(comps), np.array(mean))
        x_hat = sub.pca_inverse_transform(np.array(z), np.array(comps), np.array(mean))
        for key, arr in (("components", comps), ("variance", var), ("ratio", ratio), ("mean", mean),
                         ("projection", z), ("reconstruction", x_hat)):
            arr = np.asarray(arr)
            obs[f"{key}{i}.shape"] = np.array(arr.shape)
            obs[f"{key}{i}.floating"] = bool(arr.dtype.kind == "f")
    return obs


@watch_inputs
def choose_n_components_values(sub, rng):
    Xs, Xd = synthetic(rng), digits(rng)
    return {f"{name}.{t}": int(sub.choose_n_components(X.copy(), t))
            for name, X in (("synthetic", Xs), ("digits", Xd)) for t in (0.5, 0.8, 0.95)}
