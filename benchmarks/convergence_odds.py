"""How often a fed convergence test passes, per fresh data set: the reference, and a known bug.

    python benchmarks/convergence_odds.py [--draws 60]

Topic 09 (noisy XOR): draws the feed ``probes.xor_task`` on independent streams, trains with the
reference's ``train_mlp`` (and with the BCE gradient not averaged over the batch), and scores the
parameters with the reference's forward on the held-out set, as the verdict does. The manifest's
``calls`` is chosen so the reference passes every draw and the bug rarely passes all of them.
"""
from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TOPIC = ROOT / "reference" / "09_neural_network"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=60)
    args = ap.parse_args()
    ref, probes = _load("ref09", TOPIC / "reference.py"), _load("probes09", TOPIC / "probes.py")

    def accuracies(train):
        out = []
        for i in range(args.draws):
            d = probes.xor_task(np.random.default_rng([i, 99]))
            params, _ = train(d["X"], d["y"], n_hidden=16, lr=0.5, n_steps=300, seed=int(d["seed"]))
            logits, _ = ref.mlp_forward(params, d["_X_test"])
            out.append(np.mean((np.asarray(logits).reshape(-1) > 0) == d["_y_test"]))
        return np.asarray(out)

    rows = [("reference", accuracies(ref.train_mlp))]
    honest = ref.mlp_loss_and_grads

    def not_averaged(params, X, y):
        loss, grads = honest(params, X, y)
        return loss, {k: v * X.shape[0] for k, v in grads.items()}

    ref.mlp_loss_and_grads = not_averaged
    rows.append(("BCE gradient not averaged", accuracies(ref.train_mlp)))
    print(f"{'trainer':28s} {'min':>7s} {'mean':>7s} {'P(>=0.95)':>10s} {'P(3 in a row)':>14s}")
    for name, acc in rows:
        p = float(np.mean(acc >= 0.95))
        print(f"{name:28s} {acc.min():7.4f} {acc.mean():7.4f} {p:10.2f} {p ** 3:14.4f}")


if __name__ == "__main__":
    main()
