from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_shapes_and_sums(batchnorm_backward, np):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3))
    g = rng.standard_normal((6, 3))
    dx, dgamma, dbeta = batchnorm_backward(x, np.ones(3), g)
    assert np.shape(dx) == (6, 3), f"dx shape {np.shape(dx)}, expected (6, 3)"
    assert np.shape(dgamma) == (3,) and np.shape(dbeta) == (3,), "dgamma and dbeta have shape (D,)"
    assert np.allclose(dbeta, g.sum(axis=0)), "dbeta is the sum of grad_out over the batch"
    assert np.allclose(dx.sum(axis=0), 0.0, atol=1e-8), "dx should sum to zero over the batch axis"
