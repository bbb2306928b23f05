from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_sigmoid_worked_example(sigmoid, np):
    s = sigmoid(np.array([0.0, np.log(3.0), -800.0, 800.0]))
    assert np.shape(s) == (4,), f"shape {np.shape(s)}, expected (4,)"
    assert np.all(np.isfinite(s)), f"sigmoid returned non-finite values: {s}"
    assert np.allclose(s, [0.5, 0.75, 0.0, 1.0]), f"got {s}, expected [0.5, 0.75, 0, 1]"
    assert np.shape(sigmoid(np.zeros((2, 3)))) == (2, 3), "the output must keep the input's shape"
