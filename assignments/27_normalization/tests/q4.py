from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_forward_worked_example(groupnorm_forward, np):
    x = np.array([[[[0.0, 2.0]], [[4.0, 6.0]]]])  # (1, 2, 1, 2)
    one = groupnorm_forward(x, np.ones(2), np.zeros(2), 1)
    assert np.shape(one) == (1, 2, 1, 2), f"shape {np.shape(one)}, expected (1, 2, 1, 2)"
    assert np.allclose(one, (x - 3) / np.sqrt(5), atol=1e-4), f"one group: got {one.ravel()}"
    two = groupnorm_forward(x, np.ones(2), np.zeros(2), 2)
    assert np.allclose(two.ravel(), [-1, 1, -1, 1], atol=1e-4), f"two groups: got {two.ravel()}"


@test_case(points=1, hidden=False)
def test_backward_shapes(groupnorm_backward, np):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 3, 3))
    g = rng.standard_normal((2, 4, 3, 3))
    dx, dgamma, dbeta = groupnorm_backward(x, np.ones(4), g, 2)
    assert np.shape(dx) == (2, 4, 3, 3), f"dx shape {np.shape(dx)}, expected (2, 4, 3, 3)"
    assert np.shape(dgamma) == (4,) and np.shape(dbeta) == (4,), "dgamma and dbeta have shape (C,)"
