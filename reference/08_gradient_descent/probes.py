"""Graded probes for topic 08. Each draws seeded data, calls the code under test on copies, and
returns what it computed. Where the code under test needs a generator, the probe derives one integer
seed from its per-run stream and gives a fresh np.random.default_rng(seed) to the call, so the
reference and the submission see identical generators. The convergence test is fed: the grader runs
``lsq_task`` on its own secret stream, sends the training set and the generator's seed only, and
keeps the held-out inputs and targets and the true weights (names starting with ``_``); verdicts.py
scores the returned weights on them."""
import numpy as np
from autograder.checks.calls import watch_inputs


def lsq_data(rng, n=50, d=3, noise=0.3):
    """Seeded data: the probes here and the grader's feed (``lsq_task``) draw from it."""
    w_true = rng.standard_normal(d)
    w_true *= 3.0 / np.linalg.norm(w_true)  # (d,) fixed signal strength
    X = rng.standard_normal((n, d))  # (n, d)
    y = X @ w_true + noise * rng.standard_normal(n)  # (n,)
    return w_true, X, y


def _gen(rng):
    return np.random.default_rng(int(rng.integers(2**31)))


@watch_inputs
def gradient_values(sub, rng):
    _, X, y = lsq_data(rng, n=30, d=4)
    w = rng.standard_normal(4)  # (d,)
    return {"loss": sub.lsq_loss(X.copy(), y.copy(), w.copy()),
            "grad": np.asarray(sub.lsq_gradient(X.copy(), y.copy(), w.copy())),
            "grad_batch_of_3": np.asarray(sub.lsq_gradient(X[:3].copy(), y[:3].copy(), w.copy()))}


@watch_inputs
def batch_gd_trajectory(sub, rng):
    _, X, y = lsq_data(rng)
    w0 = rng.standard_normal(3)  # (d,)
    return {"history": np.asarray(sub.batch_gd(X.copy(), y.copy(), w0.copy(), 0.1, 8))}  # (9, d)


@watch_inputs
def sgd_trajectory(sub, rng):
    _, X, y = lsq_data(rng, n=20)
    w0 = rng.standard_normal(3)
    return {"history": np.asarray(sub.sgd(X.copy(), y.copy(), w0.copy(), 0.02, 4, _gen(rng)))}  # (5, d)


@watch_inputs
def minibatch_trajectory(sub, rng):
    # n = 50 with B = 8: six full batches and a last batch of 2 per epoch.
    _, X, y = lsq_data(rng, n=50)
    w0 = rng.standard_normal(3)
    obs = {"B8": np.asarray(sub.minibatch_gd(X.copy(), y.copy(), w0.copy(), 0.05, 4, 8, _gen(rng)))}
    obs["B50"] = np.asarray(sub.minibatch_gd(X.copy(), y.copy(), w0.copy(), 0.05, 3, 50, _gen(rng)))
    return obs


def _spd(rng, d=2, lo=(0.5, 1.0), hi=(2.0, 5.0)):
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))  # (d, d) random rotation
    lam = np.r_[rng.uniform(*lo, d - 1), rng.uniform(*hi)]  # (d,) eigenvalues, L = the last
    return (q * lam) @ q.T, lam


@watch_inputs
def stopping_rule(sub, rng):
    A, _ = _spd(rng, d=3)
    c = rng.standard_normal(3)  # minimum of 0.5 x^T A x - c^T x is A^{-1} c
    grad_fn = lambda w: A @ w - c  # noqa: E731
    x_star = np.linalg.solve(A, c)
    obs = {}
    cases = {"converges": (rng.standard_normal(3), 0.1, 1e-6, 10_000),
             "budget_hit": (rng.standard_normal(3), 0.001, 1e-8, 25),
             "starts_optimal": (x_star, 0.1, 1e-6, 100)}
    for name, (w0, lr, tol, max_iters) in cases.items():
        w, n_iters = sub.gd_until_converged(grad_fn, w0.copy(), lr, tol, max_iters)
        obs[name + ".w"], obs[name + ".n_iters"] = np.asarray(w), int(n_iters)
    return obs


@watch_inputs
def lr_effects(sub, rng):
    A, lam = _spd(rng)
    L = lam[-1]
    x0 = rng.standard_normal(2)  # (2,)
    obs = {"max_stable_lr": float(sub.max_stable_lr(A.copy()))}
    # Slow, critically damped, oscillating-but-converging and diverging steps.
    for tag, lr in (("0.3/L", 0.3 / L), ("1/L", 1.0 / L), ("1.9/L", 1.9 / L), ("2.2/L", 2.2 / L)):
        obs["traj_" + tag] = np.asarray(sub.quadratic_trajectory(A.copy(), x0.copy(), lr, 30))  # (31, 2)
    A3, _ = _spd(rng, d=4)
    obs["max_stable_lr_4d"] = float(sub.max_stable_lr(A3.copy()))
    return obs


def lsq_task(rng, n_train=240, n_test=300, d=6, noise=0.3):
    """Run by the grader, not here: the training set (sent) and the held-out set (kept)."""
    w_true, X, y = lsq_data(rng, n=n_train, d=d, noise=noise)
    X_test = rng.standard_normal((n_test, d))  # (n_test, d)
    y_test = X_test @ w_true + noise * rng.standard_normal(n_test)  # (n_test,)
    seed = np.int64(rng.integers(2**31))
    # the seed, learning rate and batch size are kept too: the verdict replays every epoch
    return {"X": X, "y": y, "seed": seed,
            "_X_train": X, "_y_train": y, "_X_test": X_test, "_y_test": y_test, "_w_true": w_true,
            "_seed": seed, "_lr": np.float64(MB_LR), "_batch_size": np.int64(MB_BATCH)}


MB_EPOCHS, MB_BATCH, MB_LR = 8, 16, 0.05  # the graded mini-batch run


def minibatch_convergence(sub, rng, n_epochs=MB_EPOCHS, batch_size=MB_BATCH, lr=MB_LR):
    def train(X, y, seed):
        gen = np.random.default_rng(int(np.asarray(seed).reshape(-1)[0]))
        hist = sub.minibatch_gd(X.copy(), y.copy(), np.zeros(X.shape[1]), lr, n_epochs, batch_size, gen)
        return {"history": np.asarray(hist, dtype=float)}  # (n_epochs + 1, d)
    return train
