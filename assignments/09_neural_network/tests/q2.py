from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_linear_worked_example(linear_forward, linear_backward, np):
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]])
    b = np.array([0.0, 0.0, 1.0])
    y = linear_forward(x, W, b)
    assert np.allclose(y, [[1, 2, 5]]), f"forward gave {y}, expected [[1, 2, 5]]"
    dx, dW, db = linear_backward(x, W, np.array([[1.0, 0.0, 1.0]]))
    assert np.allclose(dx, [[3, 1]]), f"dx is {dx}, expected [[3, 1]]"
    assert np.allclose(dW, [[1, 0, 1], [2, 0, 2]]), f"dW is {dW}"
    assert np.allclose(db, [1, 0, 1]), f"db is {db}, expected [1, 0, 1]"


@test_case(points=None, hidden=False)
def test_linear_backward_shapes(linear_backward, np):
    dx, dW, db = linear_backward(np.ones((5, 4)), np.ones((4, 3)), np.ones((5, 3)))
    assert np.shape(dx) == (5, 4), f"dx shape {np.shape(dx)}, expected (5, 4)"
    assert np.shape(dW) == (4, 3), f"dW shape {np.shape(dW)}, expected (4, 3)"
    assert np.shape(db) == (3,), f"db shape {np.shape(db)}, expected (3,)"
