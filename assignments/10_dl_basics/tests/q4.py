from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_losses_return_floats(mse, mae, bce_with_logits, cross_entropy, np):
    p, t = np.zeros((2, 2)), np.ones((2, 2))
    assert abs(mse(p, t) - 1.0) < 1e-12, f"mse(zeros, ones) = {mse(p, t)}, expected 1.0"
    assert abs(mae(p, t) - 1.0) < 1e-12, f"mae(zeros, ones) = {mae(p, t)}, expected 1.0"
    b = bce_with_logits(np.zeros(3), np.ones(3))
    assert abs(b - np.log(2.0)) < 1e-9, f"bce_with_logits(0, 1) = {b}, expected log 2 = 0.6931"
    c = cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert abs(c - np.log(4.0)) < 1e-9, f"cross_entropy(uniform over 4) = {c}, expected log 4 = 1.3863"
    assert np.ndim(c) == 0, "cross_entropy must return a single number"
