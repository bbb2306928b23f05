from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_forward_shape(rnn_forward, np):
    h = rnn_forward(np.ones((2, 5, 3)), np.zeros((2, 4)), np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))
    assert np.shape(h) == (2, 5, 4), f"hidden states shape {np.shape(h)}, expected (N, T, H) = (2, 5, 4)"


@test_case(points=1, hidden=False)
def test_forward_worked_example(rnn_forward, np):
    h = rnn_forward(np.zeros((1, 2, 1)), np.array([[1.0, 2.0]]), np.zeros((1, 2)), 0.5 * np.eye(2), np.zeros(2))
    expected = [[[0.46211716, 0.76159416], [0.22711, 0.36344]]]
    assert np.allclose(h, expected, atol=1e-4), f"got {h}, expected {expected}"
