"""Trusted-side verdicts for topic 09: the convergence test's held-out XOR set comes from the
grader's fed probe (never sent to the sandbox), and the student's parameters are run through the
reference's forward here."""
import importlib.util
from pathlib import Path

import numpy as np

from autograder.checks import Verdict
from autograder.checks.convergence import held_out_accuracy, plottable, predict_agreement


SHAPES = {"W1": (2, 16), "b1": (16,), "W2": (16, 1), "b2": (1,)}  # n_hidden = 16 in the probe


def _reference():
    spec = importlib.util.spec_from_file_location("reference_09", Path(__file__).with_name("reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def xor_accuracy(*, ref, sub, test, seed, held_out=None):
    """Fed test: the student's trained parameters go through the reference's forward on held-out
    inputs the sandbox never saw; the accuracy of that network is the metric. A ``predict`` or a
    ``train_mlp`` that answers XOR by rule, or reads anything in its process, gains nothing."""
    if held_out is None:
        raise RuntimeError("xor_convergence must be a fed probe ([tests.timing] feed = \"xor_task\")")
    params = {}
    for k, shape in SHAPES.items():
        arr = np.asarray(sub.get(f"param.{k}"), dtype=float)
        if arr.shape != shape:
            return Verdict(0.0, f"train_mlp returned params[{k!r}] of shape {arr.shape}; a 2-16-1 "
                                f"network needs {shape}")
        params[k] = arr
    reference = _reference()
    # Training inputs: the student's predict must agree with the sign of the network's logits
    # (ties within 1e-9 of zero may go either way).
    logits_train, _ = reference.mlp_forward(params, held_out["X_train"])
    logits_train = np.asarray(logits_train, dtype=float).reshape(-1)  # (n_train,)
    pred_train = np.asarray(sub.get("pred_train")).reshape(-1)
    wrong = predict_agreement(pred_train, logits_train > 0, who="predict", noun="labels",
                              rule="disagrees with the sign of the network's logit",
                              ties=~(np.abs(logits_train) > 1e-9),  # (NaN logits too, as before)
                              detail=lambda i: f"logit {logits_train[i]:.4g}, predicted "
                                               f"{pred_train[i].item()!r}")
    if wrong is not None:
        return wrong
    logits, _ = reference.mlp_forward(params, held_out["X_test"])
    pred = (np.asarray(logits, dtype=float).reshape(-1) > 0).astype(np.int64)  # (n_test,)
    return held_out_accuracy(pred=pred, labels=held_out["y_test"], target=float(test.options["target"]),
                             curve=plottable(sub.get("curve")), reference_curve=plottable(ref.get("curve")))
