from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_bptt_shapes(rnn_backward, np):
    out = rnn_backward(np.ones((2, 3, 4)), np.ones((2, 3, 5)), np.zeros((2, 4)), np.zeros((5, 4)),
                       np.zeros((4, 4)), np.zeros(4))
    assert len(out) == 5, "return (dx, dh0, dWx, dWh, db)"
    shapes = [np.shape(g) for g in out]
    assert shapes == [(2, 3, 5), (2, 4), (5, 4), (4, 4), (4,)], f"gradient shapes {shapes}"


@test_case(points=1, hidden=False)
def test_bptt_gradient_reaches_h0(rnn_backward, np):
    # Loss on the last state only, identity-like recurrence: dh0 must not be zero.
    dh = np.zeros((1, 3, 2))
    dh[:, -1] = 1.0
    _, dh0, _, _, _ = rnn_backward(dh, np.zeros((1, 3, 1)), np.zeros((1, 2)), np.zeros((1, 2)),
                                   np.eye(2), np.zeros(2))
    assert np.allclose(dh0, [[1.0, 1.0]]), (f"dh0 {dh0}, expected [[1, 1]]: the gradient of the last "
                                            "state must flow back through every step")
