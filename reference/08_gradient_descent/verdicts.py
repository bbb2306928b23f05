"""Trusted-side verdicts for topic 08: the convergence test's held-out set comes from the grader's
fed probe (never sent to the sandbox), and the student's final weights are scored here with the
reference's own loss."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict

MAX_CURVE_ROWS = 1000  # rows of the returned history drawn in the report


def _reference():
    spec = importlib.util.spec_from_file_location("reference_08", Path(__file__).with_name("reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plottable(curve):
    """The loss curve for the report, capped at 1e12 so a diverging run can still be drawn."""
    if curve is None:
        return None
    return np.clip(np.asarray(curve, dtype=float).reshape(-1), -1e12, 1e12)


def _training_curve(history, X, y):
    """The training loss after each epoch of a returned history, computed here for the report (the
    reference's history trained on the same feed: one run's reference and submission share it)."""
    if history is None:
        return None
    h = np.asarray(history, dtype=float)
    if h.ndim != 2 or h.shape[1] != X.shape[1]:
        return None
    with np.errstate(all="ignore"):
        return plottable(np.mean((X @ h[:MAX_CURVE_ROWS].T - y[:, None]) ** 2, axis=0))  # (epochs + 1,)


# One epoch replayed from the student's own previous row, in float64: a run done wholly in float32
# (data, weights and step) differs by at most 2.3e-7 of the weights' size (measured over 200 draws of
# lsq_task), a history invented around a closed-form solution by 0.1 or more.
EPOCH_RTOL = 1e-4


def _not_an_epoch(hist, held_out) -> str | None:
    """Why ``hist`` is not the history of the mini-batch GD the notebook specifies (each row one
    epoch, perm = rng.permutation(n), batches in order, from the row before), or None. Every row
    is replayed with the reference from the student's previous row, so an error does not carry
    over; a history written around a closed-form answer is not a run of gradient descent."""
    X, y = held_out["X_train"], held_out["y_train"]
    lr, batch = float(held_out["lr"]), int(held_out["batch_size"])
    gen = np.random.default_rng(int(held_out["seed"]))
    step = _reference().lsq_gradient
    n = X.shape[0]
    for k in range(hist.shape[0] - 1):
        w = hist[k].copy()  # (d,)
        perm = gen.permutation(n)
        with np.errstate(all="ignore"):
            for start in range(0, n, batch):
                idx = perm[start:start + batch]
                w = w - lr * step(X[idx], y[idx], w)
        gap = float(np.max(np.abs(hist[k + 1] - w))) if np.all(np.isfinite(w)) else np.inf
        scale = max(1.0, float(np.max(np.abs(w)))) if np.all(np.isfinite(w)) else 1.0
        if not gap <= EPOCH_RTOL * scale:
            return (f"row {k + 1} of minibatch_gd's history is not one epoch of mini-batch GD from row "
                    f"{k} (largest difference {gap:.3g} from the epoch the notebook specifies: "
                    f"perm = rng.permutation(n), batches of {batch} in that order, lr {lr:g}); the "
                    f"history must record the run that produced the final weights")
    return None


def test_mse_target(*, ref, sub, test, seed, held_out=None):
    """Fed test: the final weights of the student's mini-batch run go through the reference's loss on
    held-out data the sandbox never saw; the noise variance (0.09) is the floor. A
    ``minibatch_gd`` that does not train, or looks for the answer anywhere in its process, gains
    nothing."""
    if held_out is None:
        raise RuntimeError("minibatch_convergence must be a fed probe ([tests.timing] feed = \"lsq_task\")")
    X_train, y_train = held_out["X_train"], held_out["y_train"]
    X_test, y_test = held_out["X_test"], held_out["y_test"]
    d = X_test.shape[1]
    curves = {"curve": _training_curve(sub.get("history"), X_train, y_train),
              "reference_curve": _training_curve(ref.get("history"), X_train, y_train)}
    hist = np.asarray(sub.get("history"), dtype=float)
    # The probe's n_epochs is fixed, so the reference's history has the shape every answer needs.
    want = np.shape(ref.get("history"))
    if hist.ndim != 2 or hist.shape[1] != d or hist.shape != want:
        return Verdict(0.0, f"minibatch_gd returned a history of shape {hist.shape}; it needs one row of "
                            f"{d} weights per epoch and one for w0, (n_epochs + 1, {d}) = {want}")
    if np.all(np.isfinite(hist[-1])) and not np.all(np.isfinite(hist)):  # (a diverged run: below)
        row = int(np.flatnonzero(~np.all(np.isfinite(hist), axis=1))[0])
        return Verdict(0.0, f"minibatch_gd's history has NaN or Inf in row {row} of {hist.shape[0]}; "
                            f"every row is the weights after an epoch (row 0: w0)",
                       {k: None if c is None else c.tolist()[:2000] for k, c in curves.items()})
    bad = _not_an_epoch(hist, held_out)
    if bad is not None:
        return Verdict(0.0, bad, {k: None if c is None else c.tolist()[:2000] for k, c in curves.items()})
    w = hist[-1]  # (d,)
    with np.errstate(all="ignore"):
        value = float(_reference().lsq_loss(X_test, y_test, w)) if np.all(np.isfinite(w)) else None
    return target_verdict("test MSE", value, float(test.options["target"]), higher_is_better=False,
                          **curves)
