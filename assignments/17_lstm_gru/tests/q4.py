from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_lstm_cell_backward_shapes(lstm_cell_backward, np):
    out = lstm_cell_backward(np.ones((2, 4)), np.ones((2, 4)), np.ones((2, 3)), np.zeros((2, 4)),
                             np.zeros((2, 4)), np.zeros((3, 16)), np.zeros((4, 16)), np.zeros(16))
    assert len(out) == 6, "return (dx, dh_prev, dc_prev, dWx, dWh, db)"
    shapes = [np.shape(g) for g in out]
    assert shapes == [(2, 3), (2, 4), (2, 4), (3, 16), (4, 16), (16,)], f"gradient shapes {shapes}"


@test_case(points=1, hidden=False)
def test_lstm_cell_backward_worked_example(lstm_cell_backward, np):
    out = lstm_cell_backward(np.ones((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
                             np.ones((1, 1)), np.zeros((1, 4)), np.zeros((1, 4)), np.array([1.0, 2.0, 0.0, 0.5]))
    assert np.allclose(out[2], [[0.130208]], atol=1e-5), f"dc_prev {out[2]}, expected [[0.130208]]"
