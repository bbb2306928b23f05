from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_backward_shapes(sigmoid_backward, tanh_backward, relu_backward, leaky_relu_backward, np):
    x = np.ones((2, 3))
    g = np.ones((2, 3))
    for fn in (sigmoid_backward, tanh_backward, relu_backward, leaky_relu_backward):
        d = fn(x, g)
        assert np.shape(d) == (2, 3), f"{fn.__name__} output shape {np.shape(d)}, expected (2, 3)"


@test_case(points=None, hidden=False)
def test_backward_at_zero(sigmoid_backward, tanh_backward, np):
    d = sigmoid_backward(np.array([0.0]), np.array([1.0]))
    assert np.allclose(d, [0.25]), f"sigmoid_backward(0, 1) = {d}, expected [0.25]"
    d = tanh_backward(np.array([0.0]), np.array([2.0]))
    assert np.allclose(d, [2.0]), f"tanh_backward(0, 2) = {d}, expected [2.0]"
