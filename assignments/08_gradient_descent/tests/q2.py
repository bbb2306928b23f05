from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_histories(batch_gd, minibatch_gd, sgd, np):
    X, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 2.0])
    h = batch_gd(X, y, np.zeros(2), 0.1, 1)
    assert np.allclose(h, [[0, 0], [0.1, 0.4]]), f"batch_gd gave {h}"
    h = minibatch_gd(X, y, np.zeros(2), 0.1, 3, 2, np.random.default_rng(0))
    assert np.shape(h) == (4, 2), f"history shape {np.shape(h)}, expected (n_epochs + 1, d) = (4, 2)"
    assert np.allclose(h, batch_gd(X, y, np.zeros(2), 0.1, 3)), "with batch_size = n, mini-batch GD is batch GD"
    h = sgd(X, y, np.zeros(2), 0.1, 2, np.random.default_rng(0))
    assert np.shape(h) == (3, 2) and np.allclose(h[0], 0), "row 0 of the history is w0"
