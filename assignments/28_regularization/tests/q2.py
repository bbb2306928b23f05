from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(dropout_backward, np):
    g = dropout_backward(np.ones(3), np.array([True, False, True]), 0.25)
    assert np.shape(g) == (3,), f"shape {np.shape(g)}, expected (3,)"
    assert np.allclose(g, [4 / 3, 0.0, 4 / 3]), f"got {g}, expected [1.3333, 0, 1.3333]"
