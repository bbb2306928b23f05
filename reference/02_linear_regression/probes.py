"""Graded probes for topic 02. Each draws seeded data, calls the code under test on copies, and
returns what it computed. The convergence test is fed: the grader runs ``regression_task`` on its own
secret stream, sends the training set only, and keeps the held-out inputs and targets and the true
parameters (names starting with ``_``); verdicts.py scores the returned parameters on them."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs


def regression_data(rng, n=60, d=4, noise=0.5):
    """Seeded data: the probes here and the grader's feed (``regression_task``) draw from it."""
    w_true = rng.standard_normal(d)
    w_true *= 4.0 / np.linalg.norm(w_true)  # (d,) fixed signal strength: R^2 near 0.98 is reachable
    b_true = float(rng.uniform(3.0, 6.0))  # large enough that a model without bias fails
    X = rng.standard_normal((n, d))  # (n, d)
    y = X @ w_true + b_true + noise * rng.standard_normal(n)  # (n,)
    return w_true, b_true, X, y


@watch_inputs
def predict_and_mse(sub, rng):
    _, _, X, y = regression_data(rng, n=20)
    w = rng.standard_normal(X.shape[1])  # (d,)
    b = float(rng.standard_normal())
    pred = sub.predict(X.copy(), w.copy(), b)
    return {"pred": pred, "mse": sub.mse(np.asarray(pred).copy(), y.copy()),
            "mse_other": sub.mse(y.copy(), np.zeros_like(y))}


@watch_inputs
def normal_equation_values(sub, rng):
    obs = {}
    for i, (n, d) in enumerate(((60, 4), (15, 1), (40, 7))):
        _, _, X, y = regression_data(rng, n=n, d=d)
        w, b = sub.normal_equation(X.copy(), y.copy())
        obs[f"{i}.w"], obs[f"{i}.b"] = np.asarray(w), float(b)
    return obs


@watch_inputs
def mse_gradients(sub, rng):
    _, _, X, y = regression_data(rng, n=25, d=3)
    w = rng.standard_normal(3)  # (d,)
    b = float(rng.standard_normal())
    dw, db = sub.mse_gradients(X.copy(), y.copy(), w.copy(), b)
    bb = np.array([b])  # a 1-element array so finite differences can nudge the bias
    return {"dw": np.asarray(dw), "db": np.asarray(float(db)),
            "diag.fd.dw": fd_diagnostic(lambda: sub.mse(sub.predict(X, w, b), y), w),
            "diag.fd.db": fd_diagnostic(lambda: sub.mse(sub.predict(X, w, bb[0]), y), bb)}


@watch_inputs
def gd_steps(sub, rng):
    # A few steps only: the trajectory must follow the documented update order exactly.
    _, _, X, y = regression_data(rng, n=40, d=3)
    w, b, losses = sub.fit_gd(X.copy(), y.copy(), lr=0.05, n_steps=12)
    w2, b2, losses2 = sub.fit_gd(X.copy(), y.copy())  # the documented defaults (lr 0.1, 200 steps)
    return {"w": np.asarray(w), "b": float(b), "losses": np.asarray(losses),
            "defaults.w": np.asarray(w2), "defaults.b": float(b2),
            "defaults.losses": np.asarray(losses2)}


@watch_inputs
def r2_values(sub, rng):
    y = rng.normal(3.0, 2.0, 30)  # (30,)
    noisy = y + rng.standard_normal(30)
    return {"noisy": sub.r2_score(y.copy(), noisy.copy()),
            "perfect": sub.r2_score(y.copy(), y.copy()),
            "mean_model": sub.r2_score(y.copy(), np.full_like(y, y.mean())),
            "worse_than_mean": sub.r2_score(y.copy(), -y),
            "offset": sub.r2_score(y.copy(), y + 1.0)}


def regression_task(rng, n_train=80, n_test=200, d=5, noise=0.5):
    """Run by the grader, not here: the training set (sent) and the held-out set (kept)."""
    w_true, b_true, X, y = regression_data(rng, n=n_train, d=d, noise=noise)
    X_test = rng.standard_normal((n_test, d))  # (n_test, d)
    y_test = X_test @ w_true + b_true + noise * rng.standard_normal(n_test)  # (n_test,)
    # the learning rate and step count are kept too: the verdict replays the specified run
    return {"X": X, "y": y, "_X_train": X, "_y_train": y, "_X_test": X_test, "_y_test": y_test,
            "_w_true": w_true, "_b_true": np.float64(b_true),
            "_lr": np.float64(GD_LR), "_n_steps": np.int64(GD_STEPS)}


GD_LR, GD_STEPS = 0.1, 150  # the graded gradient-descent run (full batch, from zeros)


def gd_convergence(sub, rng, lr=GD_LR, n_steps=GD_STEPS):
    def train(X, y):
        w, b, losses = sub.fit_gd(X.copy(), y.copy(), lr=lr, n_steps=n_steps)
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        # predict on the training inputs: checked against the reference's X @ w + b of these params
        pred = sub.predict(X.copy(), w.copy(), b.item() if b.size == 1 else b.copy())
        return {"param.w": w, "param.b": b, "pred_train": np.asarray(pred, dtype=float),
                "curve": np.asarray(losses, dtype=float).reshape(-1)}
    return train
