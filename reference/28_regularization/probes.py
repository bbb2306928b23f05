"""Graded probes for topic 28. Each feeds seeded inputs to the code under test and returns what it
computed; the grader compares the same probe run on the reference, outside the student's process."""
import numpy as np

from autograder.checks.gradients import fd_diagnostic
from autograder.checks.calls import watch_inputs


def _generator(rng):
    # The code under test gets its own Generator (seeded from the probe's stream), so the draws it
    # makes, and how many, can be checked by drawing from the same Generator afterwards.
    return np.random.default_rng(int(rng.integers(2**32)))


@watch_inputs
def dropout_forward(sub, rng):
    obs = {}
    for name, shape, p in (("p30", (5, 8), 0.3), ("p50", (3, 4, 2), 0.5), ("p0", (6,), 0.0),
                           ("p90", (50,), 0.9)):
        x = rng.standard_normal(shape)  # any shape
        gen = _generator(rng)
        out, mask = sub.dropout_forward(x.copy(), p, gen, True)
        obs[f"{name}.out"] = out
        obs[f"{name}.mask"] = np.asarray(mask)
        obs[f"{name}.rng_draws_after_call"] = gen.random(3)  # one draw of x.shape was consumed
    return obs


@watch_inputs
def dropout_eval(sub, rng):
    x = rng.standard_normal((4, 6))  # (4, 6)
    gen = _generator(rng)
    out, mask = sub.dropout_forward(x.copy(), 0.4, gen, False)
    # Eval mode is the identity, keeps everything and draws no random numbers.
    return {"out": out, "mask": np.asarray(mask), "rng_draws_after_call": gen.random(3)}


@watch_inputs
def dropout_backward(sub, rng):
    x = rng.standard_normal((6, 5))  # (6, 5)
    p = 0.35
    g = rng.standard_normal(x.shape)  # upstream gradient, (6, 5)
    seed = int(rng.integers(2**32))
    mask = np.random.default_rng(seed).random(x.shape) >= p  # the mask the forward would draw
    dx = sub.dropout_backward(g.copy(), mask.copy(), p)

    def fwd():  # a fresh Generator on every call: the same mask each time
        return sub.dropout_forward(x, p, np.random.default_rng(seed), True)[0]

    return {"dx": dx, "diag.fd.dx": fd_diagnostic(fwd, x, g)}


@watch_inputs
def penalties(sub, rng):
    w1 = rng.standard_normal((4, 3))  # a weight matrix
    w2 = rng.standard_normal(7) * 5  # a bias-like vector with larger entries
    lam = float(rng.uniform(0.01, 0.5))
    return {"l1.matrix": sub.l1_penalty(w1.copy(), lam), "l1.vector": sub.l1_penalty(w2.copy(), 0.1),
            "l2.matrix": sub.l2_penalty(w1.copy(), lam), "l2.vector": sub.l2_penalty(w2.copy(), 0.1)}


@watch_inputs
def l1_gradient(sub, rng):
    w = rng.standard_normal((5, 4))  # (5, 4)
    w = np.where(np.abs(w) < 1e-2, 0.5, w)  # |w| has a kink at 0; keep finite differences valid
    w[0, 0] = w[3, 2] = 0.0  # exact zeros: the stated subgradient there is 0
    lam = float(rng.uniform(0.05, 0.5))
    return {"l1_grad": sub.l1_grad(w.copy(), lam),
            "diag.fd.l1_grad": fd_diagnostic(lambda: sub.l1_penalty(w, lam), w)}


@watch_inputs
def l2_gradient(sub, rng):
    w = rng.standard_normal((3, 6))  # (3, 6)
    lam = float(rng.uniform(0.05, 0.5))
    return {"l2_grad": sub.l2_grad(w.copy(), lam),
            "diag.fd.l2_grad": fd_diagnostic(lambda: sub.l2_penalty(w, lam), w)}


@watch_inputs
def weight_decay_step(sub, rng):
    w = rng.standard_normal((4, 3))  # (4, 3)
    grad = rng.standard_normal((4, 3))
    one = sub.sgd_weight_decay_step(w.copy(), grad.copy(), 0.1, 0.01)
    # 25 steps of least squares with weight decay: 0.5 * ||A w - b||^2 + wd / 2 * ||w||^2.
    a = rng.standard_normal((10, 3))  # (10, 3)
    b = rng.standard_normal(10)  # (10,)
    v = np.zeros(3)
    path = []
    for _ in range(25):
        v = np.asarray(sub.sgd_weight_decay_step(v.copy(), a.T @ (a @ v - b), 0.02, 0.5),
                       dtype=np.float64)
        path.append(v)
    return {"one_step": one, "trajectory": np.stack(path)}  # (25, 3)


def _loss_curves(rng, count, epochs=30):
    # U-shaped validation curves with noise, as multiples of 1/8: every comparison and subtraction
    # is exact in floating point, so "improves by more than min_delta" has one answer.
    curves = []
    for _ in range(count):
        turn = rng.integers(6, 20)
        e = np.arange(epochs)
        ints = np.round((e - turn) ** 2 / 6.0) + rng.integers(0, 5, epochs)
        curves.append(ints / 8.0 + 1.0)
    return curves


@watch_inputs
def early_stopping_steps(sub, rng):
    obs = {}
    settings = [(3, 0.0), (2, 0.25), (5, 0.125), (1, 0.0)]
    for k, (curve, (patience, min_delta)) in enumerate(zip(_loss_curves(rng, 4), settings)):
        stopper = sub.EarlyStopping(patience, min_delta)
        stops, counters, best_epochs, best_losses = [], [], [], []
        for loss in curve:
            stop = stopper.step(float(loss))
            stops.append(bool(stop))
            counters.append(int(stopper.counter))
            best_epochs.append(int(stopper.best_epoch))
            best_losses.append(float(stopper.best_loss))
            if stop:
                break
        # Numbered keys: reports name the first wrong one, and the stop flags matter most.
        obs[f"run{k}"] = {"1_stop": np.array(stops), "2_counter": np.array(counters),
                          "3_best_epoch": np.array(best_epochs), "4_best_loss": np.array(best_losses)}
    return obs


@watch_inputs
def early_stopping_epochs(sub, rng):
    def run(curve, patience, min_delta):
        stop, best = sub.early_stopping(list(curve), patience, min_delta)
        # "never stopped" is None, observed as such: a sentinel (-1, len(curve)) is a different answer.
        return {"epochs": np.array([-1 if stop is None else int(stop), int(best)]),  # [stop, best]
                "stop_is_none": stop is None}

    obs = {}
    for k, curve in enumerate(_loss_curves(rng, 5)):
        obs[f"curve{k}"] = run(curve, int(rng.integers(1, 6)), float(rng.choice([0.0, 0.125, 0.5])))
    # Still improving at the end: never stops.
    obs["never"] = run(np.linspace(2.0, 1.0, 9), 2, 0.0)
    # An improvement of exactly min_delta does not count; a larger one does.
    obs["exact_delta"] = run([1.0, 0.75, 0.5, 0.25, 0.25], 2, 0.25)
    obs["just_more"] = run([1.0, 0.75, 0.625, 0.25, 0.25, 0.25], 2, 0.25)
    # Patience 1 stops at the first epoch without improvement.
    obs["patience1"] = run([3.0, 2.0, 2.5, 1.0], 1, 0.0)
    return obs
