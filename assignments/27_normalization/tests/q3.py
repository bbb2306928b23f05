from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_forward_worked_example(layernorm_forward, np):
    out = layernorm_forward(np.array([[1.0, 2.0, 3.0]]), np.ones(3), np.zeros(3))
    assert np.shape(out) == (1, 3), f"shape {np.shape(out)}, expected (1, 3)"
    assert np.allclose(out, [[-1.2247, 0.0, 1.2247]], atol=1e-4), f"got {out}"


@test_case(points=1, hidden=False)
def test_backward_shapes(layernorm_backward, np):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5))
    g = rng.standard_normal((4, 5))
    dx, dgamma, dbeta = layernorm_backward(x, np.ones(5), g)
    assert np.shape(dx) == (4, 5), f"dx shape {np.shape(dx)}, expected (4, 5)"
    assert np.shape(dgamma) == (5,) and np.shape(dbeta) == (5,), "dgamma and dbeta have shape (D,)"
    assert np.allclose(dx.sum(axis=1), 0.0, atol=1e-8), "each row of dx should sum to zero"
