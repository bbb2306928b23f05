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
