from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_activation_shapes(sigmoid, tanh, relu, leaky_relu, np):
    x = np.zeros((2, 3))
    for fn in (sigmoid, tanh, relu, leaky_relu):
        y = fn(x)
        assert np.shape(y) == (2, 3), f"{fn.__name__} output shape {np.shape(y)}, expected (2, 3)"


@test_case(points=None, hidden=False)
def test_activation_worked_example(sigmoid, leaky_relu, np):
    s = sigmoid(np.array([0.0, 2.0]))
    assert np.allclose(s, [0.5, 0.8808], atol=1e-4), f"sigmoid([0, 2]) = {s}, expected [0.5, 0.8808]"
    y = leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
    assert np.allclose(y, [-0.2, 3.0]), f"leaky_relu([-2, 3], alpha=0.1) = {y}, expected [-0.2, 3.0]"
