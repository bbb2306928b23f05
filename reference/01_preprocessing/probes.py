"""Graded probes for topic 01. Each draws seeded data, calls the code under test on copies, and
returns what it computed; the trusted grader compares it with the same probe run on the reference."""
import numpy as np


def _train_test(rng, n=40, m=15, d=4):
    # Columns with different offsets and spreads; the test rows come from a shifted distribution so
    # that fitting on train+test gives visibly different parameters.
    loc = rng.uniform(-20, 20, d)  # (d,)
    scale = rng.uniform(0.5, 8.0, d)  # (d,)
    X_train = loc + scale * rng.standard_normal((n, d))  # (n, d)
    X_test = loc + 2.0 * scale + 1.5 * scale * rng.standard_normal((m, d))  # (m, d)
    return X_train, X_test


def standardize_values(sub, rng):
    X_train, X_test = _train_test(rng)
    mean, std = sub.standardize_fit(X_train.copy())
    return {"mean": mean, "std": std,
            "train": sub.standardize_transform(X_train.copy(), mean, std),
            "test": sub.standardize_transform(X_test.copy(), mean, std)}


def minmax_values(sub, rng):
    X_train, X_test = _train_test(rng)
    lo, hi = sub.minmax_fit(X_train.copy())
    return {"lo": lo, "hi": hi,
            "train": sub.minmax_transform(X_train.copy(), lo, hi),
            "test": sub.minmax_transform(X_test.copy(), lo, hi)}


def constant_columns(sub, rng):
    # Column 1 is constant: its std and range are 0 and must be replaced by 1, not divided by.
    X_train, X_test = _train_test(rng, n=12, m=5, d=3)
    X_train[:, 1] = 3.25
    X_test[:, 1] = rng.uniform(0, 6, len(X_test))
    mean, std = sub.standardize_fit(X_train.copy())
    lo, hi = sub.minmax_fit(X_train.copy())
    return {"std": std, "standard_test": sub.standardize_transform(X_test.copy(), mean, std),
            "minmax_test": sub.minmax_transform(X_test.copy(), lo, hi)}


def scale_without_leakage(sub, rng):
    X_train, X_test = _train_test(rng)
    obs = {}
    for method in ("standard", "minmax"):
        tr, te = sub.scale_train_test(X_train.copy(), X_test.copy(), method)
        obs[method + ".train"], obs[method + ".test"] = tr, te
    obs["default.test"] = sub.scale_train_test(X_train.copy(), X_test.copy())[1]  # "standard"
    return obs


def _with_missing(rng, n=30, d=5, frac=0.2):
    X = rng.standard_normal((n, d)) * 4 + 10  # (n, d)
    X[rng.integers(0, n, 3), rng.integers(0, d, 3)] += 60.0  # a few large values pull the mean
    X[rng.random((n, d)) < frac] = np.nan
    X[0] = np.where(np.isnan(X[0]), 1.0, X[0])  # every column keeps an observed value
    return X


def impute_values(sub, rng):
    X_train = _with_missing(rng)
    X_test = _with_missing(rng, n=10)
    obs = {}
    for strategy in ("mean", "median"):
        fill = sub.impute_fit(X_train.copy(), strategy)
        obs[strategy + ".fill"] = fill
        obs[strategy + ".test"] = sub.impute_transform(X_test.copy(), fill)
    obs["default.fill"] = sub.impute_fit(X_train.copy())  # strategy="mean" by default
    return obs


def _fence_column(rng):
    """(41,) values whose quartiles fall on sorted positions 10 and 30 exactly (Q1 = 2, Q3 = 4,
    IQR = 2), with values exactly on the k = 1.5 fences (-1, 7) and the k = 0.5 fences (1, 5):
    "on the fence is not an outlier" is decided at every seed."""
    low = np.concatenate([[-1.5, -1.0], rng.uniform(-0.9, 1.9, 8)])  # 10 values below Q1
    mid = np.concatenate([[2.0], rng.uniform(2.1, 3.9, 19), [4.0]])  # positions 10..30
    high = np.concatenate([[5.0, 7.0, 7.5], rng.uniform(4.1, 6.9, 7)])  # 10 values above Q3
    low[2] = 1.0  # on the k = 0.5 lower fence
    return rng.permutation(np.concatenate([low, mid, high]))


def _percentile_column(rng):
    """(42,) values where NumPy's linear interpolation (Q1 = 1, Q3 = 13, fences [-17, 31]) and
    the nearest / lower / higher / midpoint definitions disagree on which of -19, -12, 29, 33
    are outliers, at every seed."""
    below = np.concatenate([[-19.0, -12.0], rng.uniform(-5.0, -0.1, 8)])  # sorted positions 0..9
    middle = np.concatenate([[0.0, 4.0], rng.uniform(4.1, 9.9, 18), [10.0, 14.0]])  # 10..31
    above = np.concatenate([[29.0, 33.0], rng.uniform(14.1, 20.0, 8)])  # 32..41
    return rng.permutation(np.concatenate([below, middle, above]))


def iqr_mask(sub, rng):
    X = rng.standard_normal((41, 4))  # (41, 4)
    X[rng.integers(0, 41, 6), rng.integers(0, 4, 6)] *= 12.0  # plant outliers
    X[:, 3] = np.round(X[:, 3] * 2) / 2  # ties
    X[:, 2] = _fence_column(rng)
    P = np.stack([_percentile_column(rng) for _ in range(3)], axis=1)  # (42, 3)
    mask = sub.iqr_outlier_mask(X.copy())
    mask3 = sub.iqr_outlier_mask(X.copy(), k=0.5)
    return {"k1.5": np.asarray(mask).astype(np.int64), "k0.5": np.asarray(mask3).astype(np.int64),
            "percentile_definition": np.asarray(sub.iqr_outlier_mask(P.copy())).astype(np.int64)}


def seeded_split(sub, rng):
    # Both sides get identical generators: seeds are drawn from the per-run stream here.
    obs = {}
    # 17 * 0.35 = 5.95 and 23 * 0.3 = 6.9: rounding gives 6 and 7, truncation 5 and 6.
    for i, (n, frac) in enumerate(((30, 0.2), (17, 0.3), (25, 0.0), (17, 0.35), (23, 0.3))):
        X = rng.standard_normal((n, 3))  # (n, 3)
        y = np.arange(n) * 10
        gen = np.random.default_rng(int(rng.integers(2**31)))
        Xtr, Xte, ytr, yte = sub.train_test_split(X.copy(), y.copy(), frac, gen)
        obs.update({f"{i}.X_train": Xtr, f"{i}.X_test": Xte, f"{i}.y_train": ytr, f"{i}.y_test": yte})
    return obs


def _describe(value):
    a = np.asarray(value)
    return f"{a.shape} {a.dtype.kind}"  # shape and dtype kind ('f' float, 'b' bool, 'i' int)


def shapes_and_dtypes(sub, rng):
    X_train, X_test = _train_test(rng, n=9, m=4, d=3)
    Xm = _with_missing(rng, n=9, d=3)
    before = (X_train.copy(), X_test.copy(), Xm.copy())
    mean, std = sub.standardize_fit(X_train)
    lo, hi = sub.minmax_fit(X_train)
    fill = sub.impute_fit(Xm, "median")
    tr, te = sub.scale_train_test(X_train, X_test, "minmax")
    split = sub.train_test_split(X_train, np.arange(9), 1 / 3, np.random.default_rng(0))
    outs = {"mean": mean, "std": std, "standardized": sub.standardize_transform(X_test, mean, std),
            "lo": lo, "hi": hi, "minmax": sub.minmax_transform(X_test, lo, hi), "fill": fill,
            "imputed": sub.impute_transform(Xm, fill), "mask": sub.iqr_outlier_mask(X_train),
            "pair.train": tr, "pair.test": te}
    outs.update({f"split.{i}": part for i, part in enumerate(split)})
    obs = {k: _describe(v) for k, v in outs.items()}
    obs["no_nan_after_impute"] = bool(not np.isnan(outs["imputed"]).any())
    # Inputs must come back untouched (the functions got the originals here, on purpose).
    obs["inputs_unchanged"] = bool(all(np.array_equal(a, b, equal_nan=True)
                                       for a, b in zip(before, (X_train, X_test, Xm))))
    return obs
