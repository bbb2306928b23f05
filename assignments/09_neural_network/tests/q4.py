from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_zero_network(mlp_forward, mlp_loss_and_grads, np):
    params = {"W1": np.zeros((2, 3)), "b1": np.zeros(3), "W2": np.zeros((3, 1)), "b2": np.zeros(1)}
    X = np.ones((4, 2))
    y = np.array([1.0, 1.0, 1.0, 0.0])
    out, _ = mlp_forward(params, X)
    assert np.shape(out) == (4,), f"logits shape {np.shape(out)}, expected (4,)"
    value, grads = mlp_loss_and_grads(params, X, y)
    assert np.isclose(value, np.log(2)), f"loss {value}, expected log 2"
    for k, v in params.items():
        assert np.shape(grads[k]) == v.shape, f"grads[{k!r}] shape {np.shape(grads[k])}, expected {v.shape}"
    assert np.allclose(grads["b2"], [-0.25]), f"grads['b2'] is {grads['b2']}, expected [-0.25]"
    assert np.allclose(grads["W1"], 0) and np.allclose(grads["W2"], 0)
