from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=None, hidden=False)
def test_loss_gradient_shapes(mse_backward, mae_backward, bce_with_logits_backward,
                              cross_entropy_backward, np):
    p, t = np.zeros((2, 3)), np.ones((2, 3))
    for fn in (mse_backward, mae_backward):
        assert np.shape(fn(p, t)) == (2, 3), f"{fn.__name__} output shape, expected (2, 3)"
    d = bce_with_logits_backward(np.zeros(4), np.ones(4))
    assert np.shape(d) == (4,), f"bce_with_logits_backward output shape {np.shape(d)}, expected (4,)"
    d = cross_entropy_backward(np.zeros((2, 5)), np.array([1, 4]))
    assert np.shape(d) == (2, 5), f"cross_entropy_backward output shape {np.shape(d)}, expected (2, 5)"


@test_case(points=None, hidden=False)
def test_mse_backward_worked_example(mse_backward, np):
    d = mse_backward(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    assert np.allclose(d, [1.0, 3.0]), f"mse_backward([1, 3], [0, 0]) = {d}, expected [1.0, 3.0]"
