"""Trusted-side verdicts for topic 02: the convergence test's held-out set comes from the grader's
fed probe (never sent to the sandbox), and the student's trained parameters are scored here with
the reference's own predict and R^2."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import (plottable, predict_agreement, replay_linear_fit,
                                           target_verdict)

# predict(X_train, w, b) against the reference's X @ w + b of the same parameters: a float32 predict
# (tests/fixtures alt_correct_lstsq_float32) is off by at most 2.1e-6 on these data (|X @ w + b| up
# to 22; measured over 1000 feeds with the reference's trained parameters); a wrong predict (no
# bias, a sign) is off by more than 0.1.
PRED_RTOL, PRED_ATOL = 1e-4, 1e-4

# The returned losses and (w, b) against the trusted replay of the specified run (full batch, from
# zeros, the kept lr 0.1 and 150 steps, in float64) on the kept training data. A run done wholly in
# float32 (data, parameters, lr, every operation) differs by at most 1.25e-6 of a step's loss and
# 3.6e-7 of max(1, |params|) over 300 draws of regression_task
# (python3 benchmarks/gd_replay_float32.py --draws 300); the correct fixtures' gaps are printed by
# benchmarks/convergence_odds.py (loss_gap, param_gap; figures in the manifest).
LOSS_RTOL, PARAM_RTOL = 1e-5, 1e-5


def _reference():
    spec = importlib.util.spec_from_file_location("reference_02", Path(__file__).with_name("reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def r2_target(*, ref, sub, test, seed, held_out=None):
    """Fed test: the student's trained (w, b) go through the reference's predict on held-out inputs
    the sandbox never saw; their R^2 against the held-out targets is the metric. A ``fit_gd`` that
    does not train, or looks for the answer anywhere in its process, gains nothing."""
    if held_out is None:
        raise RuntimeError("gd_convergence must be a fed probe ([tests.timing] feed = \"regression_task\")")
    target = float(test.options["target"])
    curves = {"curve": plottable(sub.get("curve")), "reference_curve": plottable(ref.get("curve"))}
    X_train, X_test, y_test = held_out["X_train"], held_out["X_test"], held_out["y_test"]
    d = X_test.shape[1]
    w = np.asarray(sub.get("param.w"), dtype=float)
    b = np.asarray(sub.get("param.b"), dtype=float)
    if w.size != d:
        return Verdict(0.0, f"fit_gd returned w of shape {w.shape}; the data has {d} features, so w "
                            f"needs shape ({d},)")
    if b.size != 1:
        return Verdict(0.0, f"fit_gd returned b of shape {b.shape}; b is one number")
    w, b = w.reshape(d), float(b.reshape(-1)[0])
    reference = _reference()
    with np.errstate(all="ignore"):
        expected = np.asarray(reference.predict(X_train, w, b), dtype=float)  # (n_train,)
        if not np.all(np.isfinite(expected)):  # diverged: NaN/Inf parameters or predictions
            return target_verdict("R^2", None, target, **curves)
        pred = np.asarray(sub.get("pred_train"), dtype=float).reshape(-1)
        wrong = predict_agreement(pred, expected, who="predict(X, w, b) with fit_gd's (w, b)",
                                  rule="differs from X @ w + b", tolerance=(PRED_RTOL, PRED_ATOL),
                                  detail=lambda i: f"got {pred[i]:.6g}, expected {expected[i]:.6g}")
        if wrong is not None:
            return wrong
        replay = replay_linear_fit(reference.fit_gd, held_out, w, b, sub.get("curve"), who="fit_gd",
                                   curves=curves, curve_rtol=LOSS_RTOL, param_rtol=PARAM_RTOL)
        if not replay.passed:
            return replay
        r2 = reference.r2_score(y_test, reference.predict(X_test, w, b))
    verdict = target_verdict("R^2", r2, target, **curves)
    verdict.details.update(replay.details)
    return verdict
