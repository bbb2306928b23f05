from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 2


@test_case(points=1, hidden=False)
def test_lstm_backward_shapes(lstm_backward, np):
    out = lstm_backward(np.ones((2, 3, 4)), np.ones((2, 3, 5)), np.zeros((2, 4)), np.zeros((2, 4)),
                        np.zeros((5, 16)), np.zeros((4, 16)), np.zeros(16))
    assert len(out) == 6, "return (dx, dh0, dc0, dWx, dWh, db)"
    shapes = [np.shape(g) for g in out]
    assert shapes == [(2, 3, 5), (2, 4), (2, 4), (5, 16), (4, 16), (16,)], f"gradient shapes {shapes}"


@test_case(points=1, hidden=False)
def test_lstm_backward_single_step_matches_cell(lstm_backward, lstm_cell_backward, np):
    # With T = 1 and no carried gradients, BPTT is exactly one cell backward with dc_next = 0.
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.standard_normal((2, 1, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    Wx, Wh, b = rng.standard_normal((3, 8)), rng.standard_normal((2, 8)), rng.standard_normal(8)
    dh = rng.standard_normal((2, 1, 2))
    seq = lstm_backward(dh, x, h0, c0, Wx, Wh, b)
    cell = lstm_cell_backward(dh[:, 0], np.zeros((2, 2)), x[:, 0], h0, c0, Wx, Wh, b)
    assert np.allclose(seq[0][:, 0], cell[0]) and all(np.allclose(s, c) for s, c in zip(seq[1:], cell[1:])), \
        "for T = 1, lstm_backward should equal lstm_cell_backward(dh[:, 0], 0, ...)"
