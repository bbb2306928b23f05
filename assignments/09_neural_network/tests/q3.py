from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_activations(relu, relu_backward, sigmoid, np):
    z = np.array([-2.0, 3.0])
    assert np.allclose(relu(z), [0, 3]), f"relu gave {relu(z)}"
    assert np.allclose(relu_backward(z, np.array([5.0, 5.0])), [0, 5])
    s = sigmoid(np.array([0.0, -800.0, 800.0]))
    assert np.all(np.isfinite(s)) and np.allclose(s, [0.5, 0.0, 1.0]), f"sigmoid gave {s}"


@test_case(points=None, hidden=False)
def test_bce_worked_example(bce_with_logits, bce_with_logits_backward, np):
    loss = bce_with_logits(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    assert np.isclose(loss, np.log(2)), f"loss {loss}, expected log 2"
    g = bce_with_logits_backward(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    assert np.allclose(g, [-0.25, 0.25]), f"gradient {g}, expected [-0.25, 0.25]"
    big = bce_with_logits(np.array([-800.0]), np.array([1.0]))
    assert np.isfinite(big) and np.isclose(big, 800.0), f"loss {big} for logit -800, expected 800"
