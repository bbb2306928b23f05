"""Reference oracles: every hidden NumPy reference is checked against an independent computation
in float64 — torch's built-in functions for forwards, torch.autograd for gradients, torch.optim
for optimizer steps — so a wrong reference cannot mis-grade a whole class."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.slow  # about 20-50 s on a shared machine, mostly importing torch
F = torch.nn.functional

ROOT = Path(__file__).resolve().parents[2]
RTOL, ATOL = 1e-9, 1e-11  # float64 on both sides: only rounding separates them


def ref(topic):
    path = ROOT / "reference" / topic / "reference.py"
    spec = importlib.util.spec_from_file_location(f"oracle_{topic}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def T(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(actual, expected, rtol=RTOL, atol=ATOL):
    exp = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), exp, rtol=rtol, atol=atol)


def grads_of(fn, *arrays, upstream=None):
    """torch.autograd gradients of sum(fn(*tensors) * upstream) (or of a scalar fn)."""
    ts = [T(a, grad=True) for a in arrays]
    out = fn(*ts)
    (out if upstream is None else (out * T(upstream)).sum()).backward()
    return [t.grad for t in ts]


@pytest.fixture
def rng():
    return np.random.default_rng(12)


def test_10_activations_softmax_losses(rng):
    r = ref("10_dl_basics")
    x = rng.standard_normal((4, 6)) * 3
    g = rng.standard_normal(x.shape)
    for name, tfn in {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                      "leaky_relu": lambda t: F.leaky_relu(t, 0.01)}.items():
        close(getattr(r, name)(x), tfn(T(x)))
        close(getattr(r, name + "_backward")(x, g), grads_of(tfn, x, upstream=g)[0])
    close(r.leaky_relu_backward(x, g, alpha=0.2), grads_of(lambda t: F.leaky_relu(t, 0.2), x, upstream=g)[0])
    big = np.array([-1000.0, -750.0, 0.0, 750.0, 1000.0])
    close(r.sigmoid(big), torch.sigmoid(T(big)))
    z3 = rng.standard_normal((2, 3, 5)) * 4 + np.array([0.0, 900.0, -900.0, 1.0, 2.0])
    for axis in (-1, 0, 1):
        close(r.softmax(z3, axis=axis), torch.softmax(T(z3), dim=axis))
        g3 = rng.standard_normal(z3.shape)
        zs = z3 / 300.0  # moderate logits: the gradient is not vanishingly small
        close(r.softmax_backward(zs, g3, axis=axis),
              grads_of(lambda t: torch.softmax(t, dim=axis), zs, upstream=g3)[0])
    p, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    close(r.mse(p, t), F.mse_loss(T(p), T(t)))
    close(r.mae(p, t), F.l1_loss(T(p), T(t)))
    close(r.mse_backward(p, t), grads_of(lambda a: F.mse_loss(a, T(t)), p)[0])
    close(r.mae_backward(p, t), grads_of(lambda a: F.l1_loss(a, T(t)), p)[0])
    logits = np.concatenate([rng.standard_normal(6) * 400, [1000.0, -1000.0]])
    y = (rng.random(8) < 0.5).astype(float)
    close(r.bce_with_logits(logits, y), F.binary_cross_entropy_with_logits(T(logits), T(y)))
    close(r.bce_with_logits_backward(logits, y),
          grads_of(lambda a: F.binary_cross_entropy_with_logits(a, T(y)), logits)[0])
    cl = rng.standard_normal((6, 4)) * 400
    labels = rng.integers(0, 4, 6)
    close(r.cross_entropy(cl, labels), F.cross_entropy(T(cl), torch.tensor(labels)))
    close(r.cross_entropy_backward(cl / 400, labels),
          grads_of(lambda a: F.cross_entropy(a, torch.tensor(labels)), cl / 400)[0])


def test_02_03_regression_gradients(rng):
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    w, b = rng.standard_normal(3), 0.7
    r2 = ref("02_linear_regression")
    dw, db = r2.mse_gradients(X, y, w, b)
    tw, tb = grads_of(lambda w_, b_: ((T(X) @ w_ + b_ - T(y)) ** 2).mean(), w, np.array(b))
    close(dw, tw), close(db, tb)
    r3 = ref("03_logistic_regression")
    yb = (rng.random(20) < 0.5).astype(float)
    Xs = X * 50  # confident logits
    close(r3.bce_loss(Xs, yb, w, b), F.binary_cross_entropy_with_logits(T(Xs) @ T(w) + b, T(yb)))
    dw, db = r3.bce_gradients(X, yb, w, b)
    tw, tb = grads_of(lambda w_, b_: F.binary_cross_entropy_with_logits(T(X) @ w_ + b_, T(yb)),
                      w, np.array(b))
    close(dw, tw), close(db, tb)


def test_09_mlp_gradients(rng):
    r = ref("09_neural_network")
    X, y = rng.standard_normal((8, 3)), (rng.random(8) < 0.5).astype(float)
    params = {"W1": rng.standard_normal((3, 5)), "b1": rng.standard_normal(5),
              "W2": rng.standard_normal((5, 1)), "b2": rng.standard_normal(1)}
    loss, grads = r.mlp_loss_and_grads(params, X, y)

    def torch_loss(W1, b1, W2, b2):
        return F.binary_cross_entropy_with_logits((torch.relu(T(X) @ W1 + b1) @ W2 + b2)[:, 0], T(y))

    tgrads = grads_of(torch_loss, *(params[k] for k in ("W1", "b1", "W2", "b2")))
    close(loss, torch_loss(*(T(params[k]) for k in ("W1", "b1", "W2", "b2"))))
    for k, tg in zip(("W1", "b1", "W2", "b2"), tgrads):
        close(grads[k], tg)
    x, W, g = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    dx, dW, db = r.linear_backward(x, W, g)
    tx, tW, tb = grads_of(lambda a, w_, b_: a @ w_ + b_, x, W, np.zeros(2), upstream=g)
    close(dx, tx), close(dW, tW), close(db, tb)


def test_11_conv_and_pooling(rng):
    r = ref("11_cnn")
    x = rng.standard_normal((2, 3, 7, 6))
    w, b = rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    for stride, pad in ((1, 0), (2, 1)):
        out = r.conv2d_forward(x, w, b, stride, pad)
        close(out, F.conv2d(T(x), T(w), T(b), stride=stride, padding=pad))
        g = rng.standard_normal(out.shape)
        dx, dw, db = r.conv2d_backward(g, x, w, stride, pad)
        tx, tw, tb = grads_of(lambda a, w_, b_: F.conv2d(a, w_, b_, stride=stride, padding=pad),
                              x, w, b, upstream=g)
        close(dx, tx), close(dw, tw), close(db, tb)
    for size, stride in ((2, 2), (3, 2)):
        out = r.maxpool_forward(x, size, stride)
        close(out, F.max_pool2d(T(x), size, stride))
        g = rng.standard_normal(out.shape)
        close(r.maxpool_backward(g, x, size, stride),
              grads_of(lambda a: F.max_pool2d(a, size, stride), x, upstream=g)[0])
        close(r.avgpool_forward(x, size, stride), F.avg_pool2d(T(x), size, stride))
        close(r.avgpool_backward(g, x, size, stride),
              grads_of(lambda a: F.avg_pool2d(a, size, stride), x, upstream=g)[0])


def test_12_rnn_bptt(rng):
    r = ref("12_rnn")
    N, T_, D, H = 2, 5, 3, 4
    x, h0 = rng.standard_normal((N, T_, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)) * 0.5, rng.standard_normal((H, H)) * 0.5, rng.standard_normal(H)
    dh = rng.standard_normal((N, T_, H))

    def forward(x_, h_, Wx_, Wh_, b_):
        hs = []
        for t in range(T_):
            h_ = torch.tanh(x_[:, t] @ Wx_ + h_ @ Wh_ + b_)
            hs.append(h_)
        return torch.stack(hs, dim=1)

    close(r.rnn_forward(x, h0, Wx, Wh, b), forward(*(T(a) for a in (x, h0, Wx, Wh, b))))
    for ours, theirs in zip(r.rnn_backward(dh, x, h0, Wx, Wh, b),
                            grads_of(forward, x, h0, Wx, Wh, b, upstream=dh)):
        close(ours, theirs)


def _torch_lstm_weights(Wx, Wh, b, H):
    # Reference blocks are [i, f, o, g]; torch's LSTMCell uses [i, f, g, o] and W @ x.
    order = np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])
    return Wx[:, order].T, Wh[:, order].T, b[order]


def test_17_lstm_gru(rng):
    r = ref("17_lstm_gru")
    N, T_, D, H = 3, 4, 2, 5
    x, h0, c0 = rng.standard_normal((N, T_, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, 4 * H)) * 0.6, rng.standard_normal((H, 4 * H)) * 0.5, rng.standard_normal(4 * H)
    cell = torch.nn.LSTMCell(D, H).double()
    wi, wh, bb = _torch_lstm_weights(Wx, Wh, b, H)
    with torch.no_grad():
        cell.weight_ih.copy_(T(wi)), cell.weight_hh.copy_(T(wh)), cell.bias_ih.copy_(T(bb))
        cell.bias_hh.zero_()
    h, c = r.lstm_cell_forward(x[:, 0], h0, c0, Wx, Wh, b)
    th, tc = cell(T(x[:, 0]), (T(h0), T(c0)))
    close(h, th), close(c, tc)

    def seq(x_, h_, c_, Wx_, Wh_, b_):
        hs = []
        for t in range(T_):
            a = x_[:, t] @ Wx_ + h_ @ Wh_ + b_
            i, f, o, g = (torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H]),
                          torch.sigmoid(a[:, 2 * H:3 * H]), torch.tanh(a[:, 3 * H:]))
            c_ = f * c_ + i * g
            h_ = o * torch.tanh(c_)
            hs.append(h_)
        return torch.stack(hs, dim=1)

    dh = rng.standard_normal((N, T_, H))
    theirs = grads_of(seq, x, h0, c0, Wx, Wh, b, upstream=dh)
    for ours, t in zip(r.lstm_backward(dh, x, h0, c0, Wx, Wh, b), theirs):
        close(ours, t)
    bx, bh = rng.standard_normal(3 * H), rng.standard_normal(3 * H)
    Gx, Gh = rng.standard_normal((D, 3 * H)) * 0.6, rng.standard_normal((H, 3 * H)) * 0.5
    gru = torch.nn.GRUCell(D, H).double()  # torch's blocks are [r, z, n], as in the reference
    with torch.no_grad():
        gru.weight_ih.copy_(T(Gx.T)), gru.weight_hh.copy_(T(Gh.T))
        gru.bias_ih.copy_(T(bx)), gru.bias_hh.copy_(T(bh))
    close(r.gru_cell_forward(x[:, 0], h0, Gx, Gh, bx, bh), gru(T(x[:, 0]), T(h0)))


def test_27_normalization(rng):
    r = ref("27_normalization")
    x = rng.standard_normal((6, 5)) * 2 + 1
    gamma, beta = rng.uniform(0.5, 2, 5), rng.standard_normal(5)
    rm, rv = rng.standard_normal(5), rng.uniform(0.5, 2, 5)
    for eps in (1e-5, 0.3):
        out, m, v = r.batchnorm_forward(x, gamma, beta, rm, rv, True, 0.2, eps)
        trm, trv = T(rm), T(rv)
        close(out, F.batch_norm(T(x), trm, trv, T(gamma), T(beta), training=True, momentum=0.2, eps=eps))
        close(m, trm), close(v, trv)  # torch updates the running variance with the unbiased one
        g = rng.standard_normal(x.shape)
        theirs = grads_of(lambda a, ga: F.batch_norm(a, None, None, ga, T(beta), training=True, eps=eps),
                          x, gamma, upstream=g)
        dx, dgamma, dbeta = r.batchnorm_backward(x, gamma, g, eps)
        close(dx, theirs[0]), close(dgamma, theirs[1]), close(dbeta, g.sum(axis=0))
        theirs = grads_of(lambda a, ga: F.layer_norm(a, (5,), ga, T(beta), eps=eps), x, gamma, upstream=g)
        close(r.layernorm_forward(x, gamma, beta, eps), F.layer_norm(T(x), (5,), T(gamma), T(beta), eps=eps))
        dx, dgamma, _ = r.layernorm_backward(x, gamma, g, eps)
        close(dx, theirs[0]), close(dgamma, theirs[1])
        im = rng.standard_normal((2, 6, 3, 4)) * 2
        gi, bi = rng.uniform(0.5, 2, 6), rng.standard_normal(6)
        gim = rng.standard_normal(im.shape)
        for groups in (1, 2, 3, 6):
            close(r.groupnorm_forward(im, gi, bi, groups, eps),
                  F.group_norm(T(im), groups, T(gi), T(bi), eps=eps))
            theirs = grads_of(lambda a, ga: F.group_norm(a, groups, ga, T(bi), eps=eps), im, gi, upstream=gim)
            dx, dgamma, _ = r.groupnorm_backward(im, gi, gim, groups, eps)
            close(dx, theirs[0]), close(dgamma, theirs[1])
        close(r.instancenorm_forward(im, gi, bi, eps), F.instance_norm(T(im), weight=T(gi), bias=T(bi), eps=eps))


def test_28_penalty_gradients(rng):
    r = ref("28_regularization")
    w = rng.standard_normal((4, 3))
    close(r.l1_penalty(w, 0.3), 0.3 * np.abs(w).sum())
    close(r.l1_grad(w, 0.3), grads_of(lambda a: 0.3 * a.abs().sum(), w)[0])
    c = r.l2_penalty(np.ones(1), 1.0)  # the course's convention: lam/2 or lam times ||w||^2
    assert c in (0.5, 1.0)
    close(r.l2_penalty(w, 0.2), c * 0.2 * (w ** 2).sum())
    close(r.l2_grad(w, 0.2), grads_of(lambda a: c * 0.2 * (a ** 2).sum(), w)[0])


@pytest.mark.parametrize("name, torch_cls, kwargs, tkwargs", [
    ("SGD", "SGD", {"lr": 0.1}, {"lr": 0.1}),
    ("Momentum", "SGD", {"lr": 0.05, "beta": 0.9}, {"lr": 0.05, "momentum": 0.9}),
    ("Nesterov", "SGD", {"lr": 0.05, "beta": 0.9}, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("AdaGrad", "Adagrad", {"lr": 0.1, "eps": 1e-3}, {"lr": 0.1, "eps": 1e-3}),
    ("RMSprop", "RMSprop", {"lr": 0.01, "rho": 0.5, "eps": 1e-3}, {"lr": 0.01, "alpha": 0.5, "eps": 1e-3}),
    ("Adam", "Adam", {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3}, {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3}),
    ("AdamW", "AdamW", {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3, "weight_decay": 0.1},
     {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3, "weight_decay": 0.1}),
])
def test_37_optimizers_match_torch_optim(rng, name, torch_cls, kwargs, tkwargs):
    r = ref("37_optimizers")
    p0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(6)]
    lrs = [kwargs["lr"]] * 3 + [kwargs["lr"] / 2] * 3  # a schedule changes lr mid-run
    mine = p0.copy()
    opt = getattr(r, name)([mine], **kwargs)
    tp = T(p0, grad=True)
    topt = getattr(torch.optim, torch_cls)([tp], **tkwargs)
    for g, lr in zip(grads, lrs):
        opt.lr = lr
        for group in topt.param_groups:
            group["lr"] = lr
        opt.step([g.copy()])
        tp.grad = T(g)
        topt.step()
        close(mine, tp, rtol=1e-9, atol=1e-12)
    lr_fn = r.warmup_cosine_lr
    close([lr_fn(t, 1.0, 2, 6) for t in range(7)], [0.5, 1.0, 1.0, 0.8535533905932737, 0.5, 0.1464466094067262, 0.0])
