"""Trusted-side verdicts for topic 04: the quality of a clustering is measured here, from labels the
submission returned, against data regenerated from the seed (never taken from the sandbox)."""
import importlib.util
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict
from autograder.runtime.harness import probe_rng


def _probes():
    spec = importlib.util.spec_from_file_location("probes_04", Path(__file__).with_name("probes.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(values):
    if values is None:
        return None
    return np.clip(np.asarray(values, dtype=float).reshape(-1), -1e12, 1e12)


def _labels(sub, n, k):
    """The submission's labels as an int vector of length n with values in [0, k), or a message."""
    labels = sub.get("labels")
    if labels is None:
        return None, "no cluster labels were returned"
    labels = np.asarray(labels).reshape(-1)
    if labels.shape[0] != n:
        return None, f"{labels.shape[0]} labels for {n} points"
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            return None, "labels must be integers"
    labels = labels.astype(np.int64)
    if labels.min() < 0 or labels.max() >= k:
        return None, f"labels must lie in [0, {k})"
    return labels, None


def _wcss_of_labels(X, labels, k):
    """WCSS of the partition itself (each cluster around its own mean), so it cannot be claimed."""
    total = 0.0
    for j in range(k):
        members = X[labels == j]
        if len(members):
            total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def blobs_ari(*, ref, sub, test, seed):
    """Adjusted Rand index between the submission's clusters and the true blobs."""
    k = int(test.args.get("k", 5))
    X, truth = _probes().make_blobs(probe_rng(seed, test.id), k=k)
    labels, err = _labels(sub, len(truth), k)
    if err:
        return Verdict(0.0, err)
    ari = adjusted_rand_score(truth, labels)
    return target_verdict("adjusted Rand index vs the true blobs", ari, float(test.options["target"]),
                          curve=_curve(sub.get("curve")), reference_curve=_curve(ref.get("curve")))


def digits_wcss(*, ref, sub, test, seed):
    """WCSS of the submission's partition of the digits, at most (1 + tolerance) x the reference's."""
    k = int(test.args.get("k", 10))
    X = load_digits().data.astype(float)
    labels, err = _labels(sub, len(X), k)
    if err:
        return Verdict(0.0, err)
    ref_labels, _ = _labels(ref, len(X), k)
    ref_w = _wcss_of_labels(X, ref_labels, k)
    sub_w = _wcss_of_labels(X, labels, k)
    ratio = sub_w / ref_w
    tol = float(test.options["tolerance"])
    v = target_verdict("WCSS / reference WCSS", ratio, 1.0 + tol, higher_is_better=False,
                       curve=_curve(sub.get("curve")), reference_curve=_curve(ref.get("curve")))
    v.details.update(submission_wcss=sub_w, reference_wcss=ref_w)
    return v
