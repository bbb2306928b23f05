from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_predict_and_mse_worked_example(predict, mse, np):
    pred = predict(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0]), 0.5)
    assert np.shape(pred) == (2,), f"predict shape {np.shape(pred)}, expected (2,)"
    assert np.allclose(pred, [-0.5, -0.5]), f"predict gave {pred}, expected [-0.5, -0.5]"
    assert np.isclose(mse(pred, np.array([0.5, -0.5])), 0.5), "mse should be 0.5"
