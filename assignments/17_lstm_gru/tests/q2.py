from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_lstm_forward_shapes(lstm_forward, np):
    hs, cs = lstm_forward(np.ones((2, 5, 3)), np.zeros((2, 4)), np.zeros((2, 4)), np.zeros((3, 16)),
                          np.zeros((4, 16)), np.zeros(16))
    assert np.shape(hs) == (2, 5, 4) and np.shape(cs) == (2, 5, 4), \
        f"shapes {np.shape(hs)}, {np.shape(cs)}, expected (N, T, H) = (2, 5, 4) for both"


@test_case(points=1, hidden=False)
def test_lstm_forward_worked_example(lstm_forward, np):
    hs, cs = lstm_forward(np.zeros((1, 2, 1)), np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 4)),
                          np.zeros((1, 4)), np.array([1.0, 2.0, 0.0, 0.5]))
    assert np.allclose(hs, [[[0.419625], [0.443875]]], atol=1e-5), f"hs {hs}"
    assert np.allclose(cs, [[[1.218632], [1.411202]]], atol=1e-5), f"cs {cs}"
