from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_step_backward_shapes(rnn_step_backward, np):
    out = rnn_step_backward(np.ones((2, 4)), np.ones((2, 3)), np.zeros((2, 4)), np.zeros((3, 4)),
                            np.zeros((4, 4)), np.zeros(4))
    assert len(out) == 5, "return (dx, dh_prev, dWx, dWh, db)"
    shapes = [np.shape(g) for g in out]
    assert shapes == [(2, 3), (2, 4), (3, 4), (4, 4), (4,)], f"gradient shapes {shapes}"


@test_case(points=1, hidden=False)
def test_step_backward_small(rnn_step_backward, np):
    # With zero weights and bias, h_next = 0 and tanh'(0) = 1: dWx = x^T g and db = sum of g.
    x = np.array([[1.0, 2.0]])
    g = np.array([[3.0]])
    dx, dh_prev, dWx, dWh, db = rnn_step_backward(g, x, np.array([[0.5]]), np.array([[0.0], [0.0]]),
                                                 np.array([[0.0]]), np.array([0.0]))
    assert np.allclose(dWx, [[3.0], [6.0]]), f"dWx {dWx}, expected [[3], [6]]"
    assert np.allclose(dWh, [[1.5]]), f"dWh {dWh}, expected [[1.5]]"
    assert np.allclose(db, [3.0]), f"db {db}, expected [3]"
