from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_lsq_worked_example(lsq_loss, lsq_gradient, np):
    X, y, w = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 2.0]), np.zeros(2)
    assert np.isclose(lsq_loss(X, y, w), 2.5), "the loss should be 2.5"
    g = lsq_gradient(X, y, w)
    assert np.shape(g) == (2,), f"gradient shape {np.shape(g)}, expected (2,)"
    assert np.allclose(g, [-1.0, -4.0]), f"got {g}, expected [-1, -4]"
