"""How far a correct full-batch gradient descent done wholly in float32 lands from the float64
replay the fed convergence verdicts of topics 02 and 03 make (their LOSS_RTOL and PARAM_RTOL).

    python benchmarks/gd_replay_float32.py [--draws 300]

Per topic: draws the fed task on independent streams (``default_rng([i, 99])``, as
convergence_odds.py does), runs the reference's fit on the kept training data with the kept lr and
step count (float64), and the same run with the data, parameters, lr and every operation in
float32; prints the largest relative difference of a step's loss and the largest parameter
difference over max(1, |params|) (the verdicts' own measures).
"""
from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
F32 = np.float32


def _module(path: Path) -> types.ModuleType:
    mod = types.ModuleType(path.stem)
    exec(compile(path.read_text(), str(path), "exec"), mod.__dict__)  # noqa: S102 - our reference
    return mod


def _linear_step(X, y, w, b):
    r = X @ w + b - y  # (n,)
    two_n = F32(2) / F32(len(y))
    return np.mean(r * r), two_n * (X.T @ r), two_n * np.sum(r)


def _logistic_step(X, y, w, b):
    z = X @ w + b  # (n,)
    e = np.exp(-np.abs(z))
    loss = np.mean(np.maximum(z, F32(0)) - z * y + np.log1p(e))
    err = np.where(z >= 0, F32(1) / (F32(1) + e), e / (F32(1) + e)) - y  # (n,)
    return loss, X.T @ err / F32(len(y)), np.mean(err)


TOPICS = {"02_linear_regression": ("regression_task", "fit_gd", _linear_step),
          "03_logistic_regression": ("classification_task", "fit_logistic", _logistic_step)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=300)
    args = ap.parse_args()
    for topic, (task, fit, step) in TOPICS.items():
        probes = _module(ROOT / "reference" / topic / "probes.py")
        reference = _module(ROOT / "reference" / topic / "reference.py")
        loss_gap = param_gap = 0.0
        for i in range(args.draws):
            data = getattr(probes, task)(np.random.default_rng([i, 99]))
            X, y, lr, n = data["_X_train"], data["_y_train"], float(data["_lr"]), int(data["_n_steps"])
            w, b, losses = getattr(reference, fit)(X, y, lr, n)
            X32, y32, lr32 = X.astype(F32), y.astype(F32), F32(lr)
            w32, b32, losses32 = np.zeros(X.shape[1], F32), F32(0), np.empty(n, F32)
            for k in range(n):
                losses32[k], dw, db = step(X32, y32, w32, b32)
                w32, b32 = w32 - lr32 * dw, b32 - lr32 * db
            assert w32.dtype == F32 and losses32.dtype == F32, "the run left float32"
            loss_gap = max(loss_gap, float(np.max(np.abs(losses32 - losses) / np.abs(losses))))
            p, p32 = np.r_[w, b], np.r_[w32, b32].astype(float)
            param_gap = max(param_gap, float(np.max(np.abs(p32 - p)) / max(1.0, np.max(np.abs(p)))))
        print(f"{topic}: {args.draws} draws, float32 run vs float64 replay: loss_gap <= {loss_gap:.3g}, "
              f"param_gap <= {param_gap:.3g}")


if __name__ == "__main__":
    sys.exit(main())
