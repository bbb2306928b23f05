from otter.test_files import test_case

OK_FORMAT = False
name = "q6"
points = 1


@test_case(points=None, hidden=False)
def test_adam_on_a_small_quadratic(Adam, warmup_cosine_lr, clip_grad_norm, np):
    A = np.diag([1.0, 10.0, 50.0])
    x_star = np.array([1.0, -2.0, 0.5])
    x = np.zeros(3)
    opt = Adam([x], lr=0.1)
    for t in range(300):
        opt.lr = warmup_cosine_lr(t, 0.1, 20, 300)
        grads, _ = clip_grad_norm([A @ (x - x_star)], 10.0)
        opt.step(grads)
    assert np.allclose(x, x_star, atol=1e-3), f"x ended at {x}, expected close to {x_star}"
