from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_bce_worked_example(bce_loss, bce_gradients, np):
    X = np.array([[1.0], [3.0]])
    y = np.array([1, 0])
    assert np.isclose(bce_loss(X, y, np.zeros(1), 0.0), np.log(2)), "with w = 0, b = 0 the loss is log 2"
    dw, db = bce_gradients(X, y, np.zeros(1), 0.0)
    assert np.shape(dw) == (1,), f"dw shape {np.shape(dw)}, expected (1,)"
    assert np.allclose(dw, [0.5]) and np.isclose(db, 0.0), f"got dw={dw}, db={db}; expected [0.5], 0"
    assert np.isfinite(bce_loss(X, y, np.array([100.0]), 0.0)), "the loss must be finite for confident logits"
