from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_lstm_cell_shapes(lstm_cell_forward, np):
    out = lstm_cell_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)), np.zeros((3, 16)),
                            np.zeros((4, 16)), np.zeros(16))
    assert len(out) == 2, "return the tuple (h_next, c_next)"
    assert np.shape(out[0]) == (2, 4) and np.shape(out[1]) == (2, 4), \
        f"shapes {np.shape(out[0])}, {np.shape(out[1])}, expected (N, H) = (2, 4) for both"


@test_case(points=1, hidden=False)
def test_lstm_cell_worked_example(lstm_cell_forward, np):
    h, c = lstm_cell_forward(np.zeros((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 4)),
                             np.zeros((1, 4)), np.array([1.0, 2.0, 0.0, 0.5]))
    assert np.allclose(c, [[1.218632]], atol=1e-5), f"c_next {c}, expected [[1.218632]] (gate order [i, f, o, g])"
    assert np.allclose(h, [[0.419625]], atol=1e-5), f"h_next {h}, expected [[0.419625]]"
