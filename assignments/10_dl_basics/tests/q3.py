from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_softmax_worked_example(softmax, np):
    z = np.array([[1.0, 1.0], [0.0, np.log(3.0)]])
    s = softmax(z)
    assert np.shape(s) == (2, 2), f"softmax output shape {np.shape(s)}, expected (2, 2)"
    assert np.allclose(s, [[0.5, 0.5], [0.25, 0.75]]), f"softmax(z) = {s}, expected [[0.5, 0.5], [0.25, 0.75]]"


@test_case(points=None, hidden=False)
def test_softmax_backward_shape(softmax_backward, np):
    d = softmax_backward(np.zeros((3, 4)), np.ones((3, 4)))
    assert np.shape(d) == (3, 4), f"softmax_backward output shape {np.shape(d)}, expected (3, 4)"
