"""Graded probes for topic 03. Each draws seeded data, calls the code under test on copies, and
returns what it computed. The convergence test is fed: the grader runs ``classification_task`` on
its own secret stream, sends the training set only, and keeps the held-out inputs and labels and the
true parameters (names starting with ``_``); verdicts.py scores the returned parameters on them."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs


def teacher(rng, d=2, strength=8.0):
    """A fixed-strength true direction and bias (draw order matters)."""
    w_true = rng.standard_normal(d)
    w_true *= strength / np.linalg.norm(w_true)  # (d,)
    b_true = float(rng.uniform(-1.0, 1.0))
    return w_true, b_true


def labels_from(rng, X, w_true, b_true):
    # y ~ Bernoulli(sigmoid(X w + b)), drawn with uniforms: classes overlap near the boundary.
    z = X @ w_true + b_true
    return (rng.random(len(X)) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)


def _data(rng, n=50, d=3):
    w_true, b_true = teacher(rng, d)
    X = rng.standard_normal((n, d))  # (n, d)
    return X, labels_from(rng, X, w_true, b_true)


@watch_inputs
def sigmoid_values(sub, rng):
    z = rng.standard_normal((4, 6)) * 4  # (4, 6)
    # Far tails, both signs: exp(-z) overflows for z << 0 and exp(z) / (1 + exp(z)) is nan for z >> 0.
    tails = np.concatenate([rng.uniform(-900, -100, 4), rng.uniform(100, 900, 4),
                            [-800.0, -720.0, 0.0, -30.0, 30.0, 720.0, 800.0]])
    return {"moderate": sub.sigmoid(z.copy()), "tails": sub.sigmoid(tails.copy())}


@watch_inputs
def bce_values(sub, rng):
    X, y = _data(rng)
    w = rng.standard_normal(3)  # (d,)
    b = float(rng.standard_normal())
    return {"random": sub.bce_loss(X.copy(), y.copy(), w.copy(), b),
            "zeros": sub.bce_loss(X.copy(), y.copy(), np.zeros(3), 0.0)}


@watch_inputs
def bce_extreme(sub, rng):
    # Confident logits (|z| up to ~300), some of them wrong: the loss is large but finite.
    X, y = _data(rng)
    w = rng.standard_normal(3) * 60  # (d,)
    return {"confident": sub.bce_loss(X.copy(), y.copy(), w.copy(), 2.0),
            "confident_right": sub.bce_loss(X.copy(), (X @ w + 2.0 > 0).astype(np.int64), w.copy(), 2.0)}


@watch_inputs
def bce_gradients(sub, rng):
    X, y = _data(rng, n=30)
    w = rng.standard_normal(3)  # (d,)
    b = float(rng.standard_normal())
    dw, db = sub.bce_gradients(X.copy(), y.copy(), w.copy(), b)
    bb = np.array([b])  # a 1-element array so finite differences can nudge the bias
    return {"dw": np.asarray(dw), "db": np.asarray(float(db)),
            "diag.fd.dw": fd_diagnostic(lambda: sub.bce_loss(X, y, w, b), w),
            "diag.fd.db": fd_diagnostic(lambda: sub.bce_loss(X, y, w, bb[0]), bb)}


@watch_inputs
def fit_steps(sub, rng):
    # A few steps only: the trajectory must follow the documented update order exactly.
    X, y = _data(rng, n=40)
    w, b, losses = sub.fit_logistic(X.copy(), y.copy(), lr=0.5, n_steps=15)
    w2, b2, losses2 = sub.fit_logistic(X.copy(), y.copy(), lr=0.1, n_steps=7)  # lr is an argument
    w3, b3, _ = sub.fit_logistic(X.copy(), y.copy())  # the documented defaults
    return {"w": np.asarray(w), "b": float(b), "losses": np.asarray(losses),
            "predict": np.asarray(sub.predict(X.copy(), np.asarray(w), float(b))).astype(np.int64),
            "lr0.1.w": np.asarray(w2), "lr0.1.b": float(b2), "lr0.1.losses": np.asarray(losses2),
            "defaults.w": np.asarray(w3), "defaults.b": float(b3)}


@watch_inputs
def metrics_values(sub, rng):
    cases = {"random": (rng.integers(0, 2, 40), rng.integers(0, 2, 40)),
             "skewed": (np.r_[np.ones(5), np.zeros(30)], (rng.random(35) < 0.3).astype(float)),
             "no_predicted_positive": (rng.integers(0, 2, 12), np.zeros(12)),
             "no_true_positive": (np.zeros(12), rng.integers(0, 2, 12)),
             "all_wrong": (np.array([1, 1, 0, 0]), np.array([0, 0, 1, 1]))}
    obs = {}
    for name, (t, p) in cases.items():
        t, p = t.astype(np.int64), p.astype(np.int64)
        obs[name + ".confusion"] = np.asarray(sub.confusion_matrix(t.copy(), p.copy()))
        prf = sub.precision_recall_f1(t.copy(), p.copy())
        obs[name + ".precision"], obs[name + ".recall"], obs[name + ".f1"] = (float(v) for v in prf)
    return obs


def classification_task(rng, n_train=300, n_test=400, d=2):
    """Run by the grader, not here: the training set (sent) and the held-out set (kept)."""
    w_true, b_true = teacher(rng, d)
    X = rng.standard_normal((n_train, d))  # (n_train, d)
    y = labels_from(rng, X, w_true, b_true)  # (n_train,)
    X_test = rng.standard_normal((n_test, d))  # (n_test, d)
    y_test = labels_from(rng, X_test, w_true, b_true)  # (n_test,)
    # the learning rate and step count are kept too: the verdict replays the specified run
    return {"X": X, "y": y, "_X_train": X, "_y_train": y, "_X_test": X_test, "_y_test": y_test,
            "_w_true": w_true, "_b_true": np.float64(b_true),
            "_lr": np.float64(FIT_LR), "_n_steps": np.int64(FIT_STEPS)}


FIT_LR, FIT_STEPS = 0.5, 200  # the graded gradient-descent run (full batch, from zeros)


def fit_convergence(sub, rng, lr=FIT_LR, n_steps=FIT_STEPS):
    def train(X, y):
        w, b, losses = sub.fit_logistic(X.copy(), y.copy(), lr=lr, n_steps=n_steps)
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        # predict on the training inputs: checked against the reference's labels for these params
        pred = sub.predict(X.copy(), w.copy(), b.item() if b.size == 1 else b.copy())
        return {"param.w": w, "param.b": b, "pred_train": np.asarray(pred, dtype=float),
                "curve": np.asarray(losses, dtype=float).reshape(-1)}
    return train
