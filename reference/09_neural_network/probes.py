"""Graded probes for topic 09. Each feeds seeded inputs to the code under test and returns what it
computed; the grader runs the same probe on the reference, outside the student's process. The
convergence test is fed: the grader runs ``xor_task`` on its own secret stream, sends the training
set only, and keeps the held-out inputs and labels (names starting with ``_``); verdicts.py runs
the returned parameters through the reference's forward on them."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import same, watch_inputs


def xor_data(rng, n, noise=0.3):
    """Noisy XOR: corners (+-1, +-1) jittered by Gaussian noise; label 1 where the signs differ."""
    corners = rng.integers(0, 2, size=(n, 2))  # (n, 2) of 0/1
    X = (2.0 * corners - 1.0) + noise * rng.standard_normal((n, 2))  # (n, 2)
    return X, (corners[:, 0] ^ corners[:, 1]).astype(float)  # (n,)


def _params(rng, n_in, n_hidden):
    # Built here (not with the student's init) so a wrong init cannot spoil the gradient tests.
    return {"W1": rng.standard_normal((n_in, n_hidden)),  # (D, H)
            "b1": rng.standard_normal(n_hidden) * 0.5,  # (H,)
            "W2": rng.standard_normal((n_hidden, 1)),  # (H, 1)
            "b2": rng.standard_normal(1) * 0.5}  # (1,)


def _copy(params):
    return {k: v.copy() for k, v in params.items()}


@watch_inputs(in_place=('sgd_step',))
def init_shapes(sub, rng):
    obs = {}
    for n_in, n_hidden in ((2, 16), (5, 3)):
        # A fresh generator with a seeded state: the student's draws must follow the documented order.
        seed = int(rng.integers(2**31))
        p = sub.init_params(n_in, n_hidden, 1, np.random.default_rng(seed))
        for k in ("W1", "b1", "W2", "b2"):
            obs[f"{n_in}x{n_hidden}.{k}"] = np.asarray(p[k])
    return obs


@watch_inputs(in_place=('sgd_step',))
def forward_shapes(sub, rng):
    obs = {}
    x = rng.standard_normal((7, 3))  # (7, 3)
    W = rng.standard_normal((3, 4))  # (3, 4)
    b = rng.standard_normal(4)  # (4,)
    obs["linear"] = np.asarray(sub.linear_forward(x.copy(), W.copy(), b.copy()))  # (7, 4)
    for n, d, h in ((1, 2, 4), (9, 3, 6)):
        params = _params(rng, d, h)
        X = rng.standard_normal((n, d))  # (n, d)
        logits, _ = sub.mlp_forward(_copy(params), X.copy())
        obs[f"mlp_{n}x{d}"] = np.asarray(logits)  # (n,)
    return obs


@watch_inputs(in_place=('sgd_step',))
def linear_backward(sub, rng):
    x = rng.standard_normal((6, 4))  # (N, D_in)
    W = rng.standard_normal((4, 3))  # (D_in, D_out)
    b = rng.standard_normal(3)  # (D_out,)
    g = rng.standard_normal((6, 3))  # upstream gradient, (N, D_out)
    dx, dW, db = sub.linear_backward(x.copy(), W.copy(), g.copy())
    fwd = lambda: sub.linear_forward(x, W, b)  # noqa: E731 - perturbed in place by fd_diagnostic
    return {"dx": dx, "dW": dW, "db": db,
            "diag.fd.dx": fd_diagnostic(fwd, x, g), "diag.fd.dW": fd_diagnostic(fwd, W, g),
            "diag.fd.db": fd_diagnostic(fwd, b, g)}


@watch_inputs(in_place=('sgd_step',))
def activation_backward(sub, rng):
    z = rng.standard_normal((5, 6)) * 2  # (5, 6)
    z = np.where(np.abs(z) < 1e-2, 0.5, z)  # ReLU has no derivative at 0
    g = rng.standard_normal(z.shape)
    return {"relu": sub.relu_backward(z.copy(), g.copy()),
            "sigmoid": sub.sigmoid_backward(z.copy(), g.copy()),
            "diag.fd.relu": fd_diagnostic(lambda: sub.relu(z), z, g),
            "diag.fd.sigmoid": fd_diagnostic(lambda: sub.sigmoid(z), z, g)}


@watch_inputs(in_place=('sgd_step',))
def bce_values(sub, rng):
    logits = rng.standard_normal(12) * 2  # (12,)
    y = (rng.random(12) < 0.5).astype(float)
    # Confident logits, half of them wrong: a naive log(sigmoid) gives log(0) = -inf here.
    # +-1000 at every seed: past exp's overflow (709), where a naive form warns or gives inf.
    big = np.concatenate([rng.uniform(300, 800, 4), -rng.uniform(300, 800, 4), [1000.0, -1000.0]])
    y_big = np.array([1, 0, 1, 0, 0, 1, 0, 1, 0, 1], dtype=float)  # (10,)
    return {"ordinary": float(sub.bce_with_logits(logits.copy(), y.copy())),
            "extreme": float(sub.bce_with_logits(big.copy(), y_big.copy())),
            "sigmoid_extreme": np.asarray(sub.sigmoid(big.copy()))}


@watch_inputs(in_place=('sgd_step',))
def bce_backward(sub, rng):
    logits = rng.standard_normal(10) * 2  # (10,)
    y = (rng.random(10) < 0.5).astype(float)
    return {"dlogits": sub.bce_with_logits_backward(logits.copy(), y.copy()),
            "diag.fd.dlogits": fd_diagnostic(lambda: sub.bce_with_logits(logits, y), logits)}


@watch_inputs(in_place=('sgd_step',))
def mlp_grads(sub, rng):
    params = _params(rng, 3, 5)
    X = rng.standard_normal((8, 3))  # (8, 3)
    y = (rng.random(8) < 0.5).astype(float)  # (8,)
    loss, grads = sub.mlp_loss_and_grads(_copy(params), X.copy(), y.copy())
    obs = {"loss": float(loss)}
    for k in ("W1", "b1", "W2", "b2"):
        obs[k] = np.asarray(grads[k])
        # Finite differences of the student's own loss, perturbing one parameter in place.
        obs["diag.fd." + k] = fd_diagnostic(lambda: sub.mlp_loss_and_grads(params, X, y)[0], params[k])
    return obs


@watch_inputs(in_place=('sgd_step',))
def sgd_steps(sub, rng):
    # A short deterministic run: one SGD step by hand, then train_mlp's whole trajectory.
    params = _params(rng, 2, 4)
    grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    given, given_grads = _copy(params), _copy(grads)
    stepped = sub.sgd_step(given, given_grads, 0.1)
    X, y = xor_data(rng, 32)
    seed = int(rng.integers(2**31))
    trained, losses = sub.train_mlp(X.copy(), y.copy(), n_hidden=6, lr=0.3, n_steps=20, seed=seed)
    obs = {"step." + k: np.asarray(stepped[k]) for k in ("W1", "b1", "W2", "b2")}
    # The stub asks for an in-place update: the dict passed in holds the new values afterwards
    # (params[k] -= lr * grads[k]), and the gradients are left alone.
    obs.update({"step_in_place." + k: np.asarray(given[k]) for k in ("W1", "b1", "W2", "b2")})
    obs["unchanged.sgd_step_grads"] = same(grads, given_grads)
    obs.update({"trained." + k: np.asarray(trained[k]) for k in ("W1", "b1", "W2", "b2")})
    obs["losses"] = np.asarray(losses, dtype=float)
    return obs


def xor_task(rng, n_train=200, n_test=400):
    """Run by the grader, not here: the training set (sent) and the held-out set (kept). The XOR
    is seen through a secret rotation, scale and shift, with a secret choice of which class is 1
    (XOR or XNOR): weights set by hand for the textbook XOR, with no training, score chance."""
    X, y = xor_data(rng, n_train)  # (n_train, 2), (n_train,)
    X_test, y_test = xor_data(rng, n_test)  # (n_test, 2), (n_test,)
    angle = rng.uniform(0.0, 2.0 * np.pi)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])  # (2, 2)
    A = np.diag(rng.uniform(0.7, 1.4, size=2)) @ rot  # (2, 2)
    shift = rng.uniform(-1.0, 1.0, size=2)  # (2,)
    flip = float(rng.integers(2))
    X, X_test = X @ A + shift, X_test @ A + shift  # (n, 2)
    y, y_test = np.abs(y - flip), np.abs(y_test - flip)  # (n,)
    return {"X": X, "y": y, "seed": np.int64(rng.integers(2**31)),
            "_X_train": X, "_X_test": X_test, "_y_test": y_test.astype(np.int64)}


def xor_convergence(sub, rng, n_hidden=16, lr=0.5, n_steps=300):
    def train(X, y, seed):
        params, losses = sub.train_mlp(X.copy(), y.copy(), n_hidden=n_hidden, lr=lr,
                                       n_steps=n_steps, seed=int(np.asarray(seed).reshape(-1)[0]))
        out = {f"param.{k}": np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2")}
        # predict on the training inputs: checked against the reference's forward of these params
        out["pred_train"] = np.asarray(sub.predict(params, X.copy())).reshape(-1)  # (n_train,)
        out["curve"] = np.asarray(losses, dtype=float).reshape(-1)
        return out
    return train
