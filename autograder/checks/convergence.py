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
