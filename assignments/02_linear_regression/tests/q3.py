from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_gradient_worked_example(mse_gradients, np):
    dw, db = mse_gradients(np.array([[1.0], [2.0]]), np.array([1.0, 1.0]), np.array([1.0]), 0.0)
    assert np.shape(dw) == (1,), f"dw shape {np.shape(dw)}, expected (1,)"
    assert np.allclose(dw, [2.0]) and np.isclose(db, 1.0), f"got dw={dw}, db={db}; expected [2.0], 1.0"
