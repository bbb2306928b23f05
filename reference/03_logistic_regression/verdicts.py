"""Trusted-side verdicts for topic 03: the convergence test's held-out set comes from the grader's
fed probe (never sent to the sandbox), and the student's trained parameters are scored here with
the reference's own predict."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import (held_out_accuracy, plottable, predict_agreement,
                                           replay_linear_fit, target_verdict)

# predict(X_train, w, b) must give the reference's labels (1 where X @ w + b >= 0) except within
# TIE of the boundary, relative to |X| @ |w| + |b|: a predict computing z in float32 rounds z by at
# most 2.2e-7 of that scale (measured over 300 feeds with the reference's trained parameters; no
# label flipped), and a wrong predict (> 0.5 threshold on z, flipped classes) disagrees
# on whole regions, not on points this close to the boundary.
TIE = 1e-5

# The returned losses and (w, b) against the trusted replay of the specified run (full batch, from
# zeros, the kept lr 0.5 and 200 steps, in float64) on the kept training data. A run done wholly in
# float32 (data, parameters, lr, every operation) differs by at most 5.1e-7 of a step's loss and
# 7.2e-7 of max(1, |params|) over 300 draws of classification_task
# (python3 benchmarks/gd_replay_float32.py --draws 300); the correct fixtures' gaps are printed by
# benchmarks/convergence_odds.py (loss_gap, param_gap; figures in the manifest).
LOSS_RTOL, PARAM_RTOL = 1e-5, 1e-5


def _reference():
    spec = importlib.util.spec_from_file_location("reference_03", Path(__file__).with_name("reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def accuracy_target(*, ref, sub, test, seed, held_out=None):
    """Fed test: the student's trained (w, b) go through the reference's predict on held-out inputs
    the sandbox never saw; their accuracy against the held-out labels is the metric. A
    ``fit_logistic`` that does not train, or looks for the answer anywhere in its process, gains
    nothing."""
    if held_out is None:
        raise RuntimeError("fit_convergence must be a fed probe ([tests.timing] feed = \"classification_task\")")
    target = float(test.options["target"])
    curves = {"curve": plottable(sub.get("curve")), "reference_curve": plottable(ref.get("curve"))}
    X_train, X_test, y_test = held_out["X_train"], held_out["X_test"], held_out["y_test"]
    d = X_test.shape[1]
    w = np.asarray(sub.get("param.w"), dtype=float)
    b = np.asarray(sub.get("param.b"), dtype=float)
    if w.size != d:
        return Verdict(0.0, f"fit_logistic returned w of shape {w.shape}; the data has {d} features, "
                            f"so w needs shape ({d},)")
    if b.size != 1:
        return Verdict(0.0, f"fit_logistic returned b of shape {b.shape}; b is one number")
    w, b = w.reshape(d), float(b.reshape(-1)[0])
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        return target_verdict("accuracy", None, target, **curves)
    reference = _reference()
    with np.errstate(all="ignore"):
        z = X_train @ w + b  # (n_train,)
        scale = np.abs(X_train) @ np.abs(w) + abs(b)  # (n_train,)
        expected = np.asarray(reference.predict(X_train, w, b))
        pred = np.asarray(sub.get("pred_train"), dtype=float).reshape(-1)
        wrong = predict_agreement(pred, expected, who="predict(X, w, b) with fit_logistic's (w, b)",
                                  rule="disagrees with 1[X @ w + b >= 0]", noun="labels",
                                  ties=np.abs(z) <= TIE * scale,
                                  detail=lambda i: f"X @ w + b = {z[i]:.4g}, predicted {pred[i]:g}")
        if wrong is not None:
            return wrong
        replay = replay_linear_fit(reference.fit_logistic, held_out, w, b, sub.get("curve"),
                                   who="fit_logistic", curves=curves, curve_rtol=LOSS_RTOL,
                                   param_rtol=PARAM_RTOL)
        if not replay.passed:
            return replay
        pred_test = reference.predict(X_test, w, b)  # (n_test,)
    verdict = held_out_accuracy(pred=pred_test, labels=y_test, target=target, **curves)
    verdict.details.update(replay.details)
    return verdict
