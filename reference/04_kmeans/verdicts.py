"""Trusted-side verdicts for topic 04. Both convergence tests are fed (probes.blobs_task,
probes.digits_task): the grader sends the points to cluster and keeps the held-out points and the
true blobs. The submission returns the centres of each k-means run; here the best run is chosen by
its WCSS on the training points and the held-out points are assigned to its centres with the
reference's own ``assign_clusters``. Labels found anywhere in the sandbox (a frame, the seed, the
bundled digits) cannot help: the held-out points never reach it."""
import importlib.util
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from autograder.checks import Verdict
from autograder.checks.convergence import target_verdict


def _reference():
    spec = importlib.util.spec_from_file_location("reference_04", Path(__file__).with_name("reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _curve(values):
    if values is None:
        return None
    return np.clip(np.asarray(values, dtype=float).reshape(-1), -1e12, 1e12)


def _nearest(reference, X, centers):
    """(labels (N,), squared distance to the nearest centre (N,)) with the reference's distances;
    a centre with NaN/Inf in it is never nearest (a dead centre)."""
    d = np.asarray(reference.squared_distances(X, np.nan_to_num(centers)), dtype=float)  # (N, K)
    d[:, ~np.all(np.isfinite(centers), axis=1)] = np.inf
    labels = reference.assign_clusters(X, np.nan_to_num(centers))
    labels = np.where(np.isfinite(d[np.arange(len(X)), labels]), labels, np.argmin(d, axis=1))
    return labels, d[np.arange(len(X)), labels]


def _best_run(out, X_train, shape, reference, who="kmeans", n_runs=None):
    """(centres, history, training WCSS) of the run with the smallest WCSS of the training points
    around its centres, or (None, message). ``n_runs``: only the runs the grader asked for (one
    per seed it sent), so extra runs added to the output choose nothing."""
    runs = sorted((k for k in out if k.startswith("centers") and k[7:].isdigit()
                   and (n_runs is None or int(k[7:]) < n_runs)), key=lambda k: int(k[7:]))
    if not runs or (n_runs is not None and len(runs) != n_runs):
        return None, f"{who} returned centres for {len(runs)} runs; expected {n_runs or 'some'}"
    best = None
    for key in runs:
        centers = np.asarray(out[key])
        if centers.dtype.kind not in "biuf" or centers.shape != shape:
            return None, f"{who} returned centres of shape {centers.shape} (dtype {centers.dtype}); expected {shape}"
        centers = centers.astype(float)
        if not np.any(np.all(np.isfinite(centers), axis=1)):
            continue
        _, d = _nearest(reference, X_train, centers)
        score = float(d.sum())
        if best is None or score < best[2]:
            best = (centers, out.get("history" + key[7:]), score)
    if best is None:
        return None, f"every centre {who} returned contains NaN or Inf"
    return best, None


def _runs_of(ref, sub, held_out):
    reference = _reference()
    X_train = np.asarray(held_out["X_train"], dtype=float)
    ref_best, err = _best_run(ref, X_train, np.asarray(ref.get("centers0")).shape, reference, "the reference")
    if err:
        raise RuntimeError(err)
    n_runs = sum(1 for k in ref if k.startswith("centers") and k[7:].isdigit())
    sub_best, err = _best_run(sub, X_train, ref_best[0].shape, reference, n_runs=n_runs)
    return reference, ref_best, sub_best, err


def blobs_ari(*, ref, sub, test, seed, held_out=None):
    """Adjusted Rand index between the true blobs of held-out points and the blob the reference's
    assignment puts them in, around the submission's best centres."""
    if held_out is None:
        raise RuntimeError("blobs_convergence must be a fed probe ([tests.timing] feed = \"blobs_task\")")
    reference, ref_best, sub_best, err = _runs_of(ref, sub, held_out)
    if err:
        return Verdict(0.0, err)
    labels, _ = _nearest(reference, np.asarray(held_out["X_test"], dtype=float), sub_best[0])
    ari = adjusted_rand_score(np.asarray(held_out["y_test"]).reshape(-1), labels)
    return target_verdict("adjusted Rand index vs the true blobs", ari,
                          float(test.options["target"]), curve=_curve(sub_best[1]),
                          reference_curve=_curve(ref_best[1]))


def digits_wcss(*, ref, sub, test, seed, held_out=None):
    """WCSS of the held-out digits around the submission's best centres, at most (1 + tolerance)
    x the same around the reference's best centres (both assigned with the reference's rule)."""
    if held_out is None:
        raise RuntimeError("digits_convergence must be a fed probe ([tests.timing] feed = \"digits_task\")")
    reference, ref_best, sub_best, err = _runs_of(ref, sub, held_out)
    if err:
        return Verdict(0.0, err)
    X_test = np.asarray(held_out["X_test"], dtype=float)
    sub_w = float(_nearest(reference, X_test, sub_best[0])[1].sum())
    ref_w = float(_nearest(reference, X_test, ref_best[0])[1].sum())
    tol = float(test.options["tolerance"])
    v = target_verdict("WCSS around your centres / around the reference's", sub_w / ref_w, 1.0 + tol,
                       higher_is_better=False, curve=_curve(sub_best[1]),
                       reference_curve=_curve(ref_best[1]))
    v.details.update(submission_wcss=sub_w, reference_wcss=ref_w,
                     training_wcss_ratio=sub_best[2] / ref_best[2])
    return v
