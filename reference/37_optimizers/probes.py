"""Graded probes for topic 37. Each optimizer runs a few steps on seeded parameters with a seeded
sequence of gradients, and the probe records the parameters after every step; the grader runs the
same probe on the reference and compares the trajectories. The convergence probe is fed: the
grader draws the quadratic on its own secret stream (quadratic_task), and verdicts.py checks every
returned iterate against an Adam step and measures the loss itself."""
import numpy as np

from autograder.checks.calls import watch_inputs

N_STEPS = 10


def _setup(rng, n_steps=N_STEPS):
    params = [rng.standard_normal((4, 3)), rng.standard_normal(3)]  # a weight (4, 3) and a bias (3,)
    grads = [[rng.standard_normal(p.shape) * 0.5 for p in params] for _ in range(n_steps)]
    grads[2][1][:] = 0.0  # a step with a zero gradient for one tensor: the state must still decay
    for step_grads in grads:  # one column with tiny gradients: where eps goes matters there
        step_grads[0][:, 0] *= 1e-4
    return params, grads


def _trajectory(opt_cls, rng, lrs=None, **kwargs):
    """``lrs``: a learning rate per step, set as ``opt.lr`` before each step the way a schedule
    does it (an optimizer that copied lr once at construction does not follow)."""
    params, grads = _setup(rng)
    mine = [p.copy() for p in params]
    opt = opt_cls(mine, **kwargs)
    traj = [[], []]
    for t, step_grads in enumerate(grads):
        if lrs is not None:
            opt.lr = lrs[t]
        opt.step([g.copy() for g in step_grads])
        for i, p in enumerate(mine):  # read the arrays we passed in: updates must be in place
            traj[i].append(np.array(p, dtype=float))
    return {"W": np.stack(traj[0]),  # (N_STEPS, 4, 3)
            "b": np.stack(traj[1])}  # (N_STEPS, 3)


def _prefix(prefix, obs):
    return {f"{prefix}.{k}": v for k, v in obs.items()}


# Learning rates per step for the scheduled runs: halved after step 4, then raised again.
SCHEDULE = [0.05] * 4 + [0.025] * 3 + [0.08] * (N_STEPS - 7)


def sgd_trajectory(sub, rng):
    return {**_trajectory(sub.SGD, rng, lr=0.1),
            **_prefix("default_lr", _trajectory(sub.SGD, rng)),
            **_prefix("scheduled", _trajectory(sub.SGD, rng, lrs=SCHEDULE, lr=0.05))}


def momentum_trajectory(sub, rng):
    return {**_prefix("beta0.9", _trajectory(sub.Momentum, rng, lr=0.05, beta=0.9)),
            **_prefix("beta0.5", _trajectory(sub.Momentum, rng, lr=0.1, beta=0.5)),
            **_prefix("defaults", _trajectory(sub.Momentum, rng)),
            **_prefix("scheduled", _trajectory(sub.Momentum, rng, lrs=SCHEDULE, lr=0.05))}


def nesterov_trajectory(sub, rng):
    return {**_prefix("beta0.9", _trajectory(sub.Nesterov, rng, lr=0.05, beta=0.9)),
            **_prefix("beta0.5", _trajectory(sub.Nesterov, rng, lr=0.1, beta=0.5))}


def adagrad_rmsprop_trajectory(sub, rng):
    # rho and eps at non-default values: the tiny-gradient column makes eps visible, and rho = 0.5
    # forgets fast enough that a hard-coded 0.9 drifts off within a few steps.
    return {**_prefix("adagrad", _trajectory(sub.AdaGrad, rng, lr=0.1)),
            **_prefix("adagrad_eps1e-3", _trajectory(sub.AdaGrad, rng, lr=0.1, eps=1e-3)),
            **_prefix("rmsprop", _trajectory(sub.RMSprop, rng, lr=0.01, rho=0.9)),
            **_prefix("rmsprop_rho0.5_eps1e-3", _trajectory(sub.RMSprop, rng, lr=0.01, rho=0.5, eps=1e-3)),
            **_prefix("rmsprop_defaults", _trajectory(sub.RMSprop, rng)),
            **_prefix("rmsprop_scheduled", _trajectory(sub.RMSprop, rng, lrs=SCHEDULE, lr=0.05))}


def adam_trajectory(sub, rng):
    return {**_prefix("default_betas", _trajectory(sub.Adam, rng, lr=0.01)),
            **_prefix("betas_0.8_0.99", _trajectory(sub.Adam, rng, lr=0.05, betas=(0.8, 0.99))),
            **_prefix("eps1e-3", _trajectory(sub.Adam, rng, lr=0.05, eps=1e-3)),
            **_prefix("defaults", _trajectory(sub.Adam, rng)),
            # lr changed between steps, as warmup_cosine_lr does in a training loop
            **_prefix("scheduled", _trajectory(sub.Adam, rng, lrs=SCHEDULE, lr=0.05))}


def adamw_trajectory(sub, rng):
    # A large decay so that decoupled and coupled (L2-in-the-gradient) decay clearly differ.
    return {**_prefix("wd0.1", _trajectory(sub.AdamW, rng, lr=0.05, weight_decay=0.1)),
            **_prefix("wd0", _trajectory(sub.AdamW, rng, lr=0.01, weight_decay=0.0)),
            # betas and eps are documented arguments of AdamW too: non-default, with decay
            **_prefix("betas_0.8_0.95_eps1e-3", _trajectory(sub.AdamW, rng, lr=0.05, betas=(0.8, 0.95),
                                                            eps=1e-3, weight_decay=0.1)),
            **_prefix("defaults", _trajectory(sub.AdamW, rng)),
            **_prefix("scheduled", _trajectory(sub.AdamW, rng, lrs=SCHEDULE, lr=0.05, weight_decay=0.1))}


@watch_inputs
def lr_schedule(sub, rng):
    base = float(rng.uniform(0.1, 1.0))
    first = [sub.warmup_cosine_lr(t, base, 5, 30) for t in range(35)]  # past the end: stays at min
    second = [sub.warmup_cosine_lr(t, base, 10, 50, min_lr=0.01) for t in range(50)]
    no_warmup = [sub.warmup_cosine_lr(t, base, 0, 20) for t in range(20)]
    return {"warmup5_total30": np.asarray(first, dtype=float),
            "warmup10_total50_min0.01": np.asarray(second, dtype=float),
            "no_warmup": np.asarray(no_warmup, dtype=float)}


@watch_inputs
def clip_grad_norm(sub, rng):
    grads = [rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal((2, 2, 3))]
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))  # what the case thresholds refer to
    obs = {}
    for case, max_norm in (("clipped", total / 3.0), ("untouched", total * 2.0)):
        clipped, norm = sub.clip_grad_norm([g.copy() for g in grads], max_norm)
        obs[case + ".norm"] = float(norm)
        for i, g in enumerate(clipped):
            obs[f"{case}.g{i}"] = np.asarray(g, dtype=float)
    return obs


def ill_conditioned_problem(rng, d=10, cond=100.0):
    """An ill-conditioned quadratic f(x) = 0.5 (x - x*)^T A (x - x*): A = Q diag(1 .. cond) Q^T."""
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))  # (d, d) a random rotation
    A = Q @ np.diag(np.logspace(0, np.log10(cond), d)) @ Q.T  # (d, d)
    return A, rng.standard_normal(d) * 2.0  # x*, (d,)


def quadratic_task(rng, d=10, cond=100.0):
    """Run by the grader, not here: one quadratic per call. The probe gets what a training loop
    needs to compute gradients (A, b = A x*, the start x0); the grader keeps its own copy and the
    minimiser, and verdicts.py replays every step with the reference's Adam from the returned
    iterates, so jumping to the optimum (solving A x = b, or reading x* from a frame) fails."""
    A, x_star = ill_conditioned_problem(rng, d, cond)
    x0 = np.zeros(d)  # (d,) the start, as in the notebook's loop
    b = A @ x_star  # (d,)
    return {"A": A, "b": b, "x0": x0, "_A": A, "_b": b, "_x_star": x_star, "_x0": x0}


def adam_convergence(sub, rng, n_steps=300, base_lr=0.1, warmup=20, max_norm=10.0):
    # Adam + warmup/cosine schedule + clipping together, as in a real training loop, on the
    # grader's quadratic (a fed probe: quadratic_task). Every iterate is returned.
    def run(A, b, x0):
        x = np.array(x0, dtype=float)  # (d,) updated in place by the optimizer
        opt = sub.Adam([x], lr=base_lr)
        traj = [x.copy()]
        for t in range(n_steps):
            opt.lr = sub.warmup_cosine_lr(t, base_lr, warmup, n_steps)
            grads, _ = sub.clip_grad_norm([A @ x - b], max_norm)  # the gradient of the quadratic
            opt.step(grads)
            traj.append(np.array(x, dtype=float))
        return {"x": np.stack(traj)}  # (n_steps + 1, d)
    return run
