from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_step_shape(rnn_step_forward, np):
    h = rnn_step_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))
    assert np.shape(h) == (2, 4), f"h_next shape {np.shape(h)}, expected (N, H) = (2, 4)"


@test_case(points=1, hidden=False)
def test_step_worked_example(rnn_step_forward, np):
    h = rnn_step_forward(np.array([[1.0]]), np.array([[0.5, -0.5]]), np.array([[1.0, 0.0]]),
                         np.zeros((2, 2)), np.array([0.0, 1.0]))
    assert np.allclose(h, [[0.76159416, 0.76159416]], atol=1e-6), f"got {h}, expected [[0.7616, 0.7616]]"
