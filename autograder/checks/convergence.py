"""Convergence: the code under test trains under a step and time budget on seeded data and returns
predictions on held-out inputs; the trusted side holds the labels and computes the metric. The loss
curve travels as an observation so the report can plot it against the reference's."""
from __future__ import annotations

import numpy as np

from autograder.checks import Verdict


def accuracy(pred, labels) -> float:
    pred = np.asarray(pred).reshape(-1)
    labels = np.asarray(labels).reshape(-1)
    if pred.shape != labels.shape:
        raise ValueError(f"{pred.shape[0]} predictions for {labels.shape[0]} held-out examples")
    return float(np.mean(pred == labels))


def target_verdict(metric_name: str, value, target: float, *, higher_is_better: bool = True,
                   curve=None, reference_curve=None) -> Verdict:
    details = {"metric": metric_name, "value": None if value is None else float(value),
               "target": target}
    if curve is not None:
        details["curve"] = np.asarray(curve, dtype=float).reshape(-1).tolist()[:2000]
    if reference_curve is not None:
        details["reference_curve"] = np.asarray(reference_curve, dtype=float).reshape(-1).tolist()[:2000]
    if value is None or not np.isfinite(value):
        return Verdict(0.0, f"{metric_name} could not be computed (the model produced NaN/Inf or "
                            f"nothing)", details)
    ok = value >= target if higher_is_better else value <= target
    cmp = ">=" if higher_is_better else "<="
    msg = "" if ok else (f"{metric_name} on held-out data is {value:.4g}; needs {cmp} {target:g} "
                         f"within the training budget")
    return Verdict(float(ok), msg, details)


def held_out_accuracy(*, pred, labels, target: float, curve=None, reference_curve=None) -> Verdict:
    try:
        acc = accuracy(pred, labels)
    except ValueError as exc:
        return Verdict(0.0, str(exc))
    return target_verdict("accuracy", acc, target, curve=curve, reference_curve=reference_curve)


def plottable(curve):
    """A loss curve for the report (flat floats), capped at 1e12: a diverging run reaches 1e300
    and inf, which the report's log-scale plot cannot draw (NaN stays NaN). Verdicts never use it
    to decide."""
    if curve is None:
        return None
    return np.clip(np.asarray(curve, dtype=float).reshape(-1), -1e12, 1e12)


def predict_agreement(pred, expected, *, who: str, rule: str, detail, noun: str = "values",
                      tolerance: tuple[float, float] | None = None, ties=None) -> Verdict | None:
    """A fed test's check of the student's own ``predict``: on the training inputs, with the
    trained parameters it returned, it must give what the reference's rule gives (``expected``,
    computed on the trusted side from the same parameters). None when it does; else the failing
    Verdict, shape first, then how many inputs disagree and the first of them.

    ``tolerance=(rtol, atol)``: values agree within atol + rtol |expected| (regression); without
    it they must be equal (labels). ``ties``: a mask of inputs where either answer is right (on
    the decision boundary, within rounding). NaN never agrees. ``detail(i)`` describes input i
    for the message: "{who} {rule} on k of n training inputs (first: input i, {detail(i)})"."""
    pred = np.asarray(pred).reshape(-1)
    expected = np.asarray(expected).reshape(-1)
    if pred.shape != expected.shape:
        return Verdict(0.0, f"predict returned {pred.size} {noun} for {expected.size} training inputs")
    with np.errstate(all="ignore"):
        if tolerance is None:
            wrong = pred != expected
        else:
            rtol, atol = tolerance
            wrong = ~(np.abs(pred - expected) <= atol + rtol * np.abs(expected))  # NaN: wrong
        if ties is not None:
            wrong &= ~np.asarray(ties, dtype=bool).reshape(-1)
    if not wrong.any():
        return None
    i = int(np.flatnonzero(wrong)[0])
    return Verdict(0.0, f"{who} {rule} on {int(wrong.sum())} of {wrong.size} training inputs "
                        f"(first: input {i}, {detail(i)})")


def replay_agreement(curve, params, replay_curve, replay_params, *, who: str, run: str,
                     names, curve_rtol: float, param_rtol: float) -> Verdict:
    """A fed test's check that the returned run is the one the notebook specifies: the trusted side
    replays it (deterministic: full batch, from zeros, the kept lr and step count) with the
    reference on the kept training data, and the returned loss curve must match the replay's step
    by step (within ``curve_rtol`` of each loss) and the returned parameters its final ones (within
    ``param_rtol`` of max(1, their largest size)). Parameters reached some other way (a closed
    form, Newton steps) with an invented curve fail. Always a Verdict: passed, or the failure
    (shape first, then which step differs and by how much); ``details`` holds the relative gaps
    (``loss_gap``, ``param_gap``) so benchmarks/convergence_odds.py can print them.
    ``names[i]`` names ``params[i]`` for the message."""
    expected = np.asarray(replay_curve, dtype=float).reshape(-1)  # (n_steps,) trusted
    p_exp = np.asarray(replay_params, dtype=float).reshape(-1)  # trusted
    n = expected.size
    try:
        shape = np.shape(curve)
        got = np.asarray(curve, dtype=float).reshape(-1)
        p_got = np.asarray(params, dtype=float).reshape(-1)
    except (TypeError, ValueError, OverflowError):
        return Verdict(0.0, f"{who} returned losses that are not an array of numbers; {run} has {n} "
                            f"steps, so losses needs shape ({n},)")
    if curve is None or got.size != n or len(shape) > 1:
        return Verdict(0.0, f"{who} returned losses of shape {shape}; {run} has {n} steps, so losses "
                            f"needs shape ({n},) (losses[k]: the loss before update k)")
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)  # (n_steps,)
        wrong = ~(diff <= curve_rtol * np.abs(expected) + 1e-12)  # NaN: wrong
        loss_gap = float(np.max(diff / np.maximum(np.abs(expected), 1e-12)))
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            k = int(np.argmax(np.where(np.isfinite(diff), diff, np.inf)))
            return Verdict(0.0, f"{who}'s losses are not those of {run}: {int(wrong.sum())} of {n} "
                                f"steps differ (first: step {i}, losses[{i}] = {got[i]:.6g}, expected "
                                f"{expected[i]:.6g}; largest difference {diff[k]:.3g} at step {k}, "
                                f"{diff[k] / max(abs(expected[k]), 1e-12):.3g} of that loss). The "
                                f"losses must record the run that produced the returned parameters",
                           {"loss_gap": loss_gap})
        if p_got.size != p_exp.size:  # the caller checked the shapes; kept so this never raises
            return Verdict(0.0, f"{who} returned {p_got.size} parameters; {run} has {p_exp.size}")
        scale = max(1.0, float(np.max(np.abs(p_exp))))
        pdiff = np.abs(p_got - p_exp)
        param_gap = float(np.max(pdiff)) / scale if np.all(np.isfinite(pdiff)) else np.inf
        if not param_gap <= param_rtol:
            j = int(np.argmax(np.where(np.isfinite(pdiff), pdiff, np.inf)))
            return Verdict(0.0, f"{who}'s final parameters are not where {run} ends: {names[j]} = "
                                f"{p_got[j]:.6g}, expected {p_exp[j]:.6g} (difference {pdiff[j]:.3g}, "
                                f"largest parameter {scale:.3g}). Return the parameters after the "
                                f"last update of the recorded run",
                           {"loss_gap": loss_gap, "param_gap": param_gap})
    return Verdict(1.0, "", {"loss_gap": loss_gap, "param_gap": param_gap})


def replay_linear_fit(fit, held_out: dict, w, b, curve, *, who: str, curves: dict,
                      curve_rtol: float, param_rtol: float) -> Verdict:
    """``replay_agreement`` for a full-batch fit of (w, b) from zeros (topics 02 and 03): ``fit`` is
    the reference's ``fit(X, y, lr, n_steps) -> (w, b, losses)``, run on the kept training data with
    the kept lr and step count. On failure the verdict's details also carry ``curves`` (as lists)
    for the report's figure."""
    lr, n_steps = float(held_out["lr"]), int(held_out["n_steps"])
    w_run, b_run, losses_run = fit(held_out["X_train"], held_out["y_train"], lr, n_steps)
    replay = replay_agreement(curve, np.r_[w, b], losses_run, np.r_[w_run, b_run], who=who,
                              names=[*(f"w[{i}]" for i in range(np.size(w))), "b"],
                              run=f"gradient descent as specified (full batch from w = 0, b = 0, "
                                  f"lr {lr:g}, {n_steps} steps)",
                              curve_rtol=curve_rtol, param_rtol=param_rtol)
    if not replay.passed:
        replay.details.update({k: None if c is None else np.asarray(c).tolist()[:2000]
                               for k, c in curves.items()})
    return replay
