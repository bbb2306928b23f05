from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_backward_example(conv2d_backward, np):
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    assert np.shape(dx) == (1, 1, 3, 3) and np.shape(dw) == (1, 1, 2, 2) and np.shape(db) == (1,), \
        f"shapes {np.shape(dx)}, {np.shape(dw)}, {np.shape(db)}; expected those of x, w and b"
    assert np.allclose(db, [4.0]), f"db = {db}, expected [4.]"
    assert np.allclose(dw[0, 0], [[8, 12], [20, 24]]), f"dw = {dw[0, 0]}, expected [[8, 12], [20, 24]]"
    assert np.allclose(dx[0, 0], [[1, 1, 0], [1, 0, -1], [0, -1, -1]]), f"dx =\n{dx[0, 0]}"


@test_case(points=1, hidden=False)
def test_backward_shapes_with_stride_and_padding(conv2d_forward, conv2d_backward, np):
    x = np.ones((2, 3, 7, 6))
    w = np.ones((4, 3, 3, 2))
    out = conv2d_forward(x, w, np.zeros(4), stride=2, pad=1)
    dx, dw, db = conv2d_backward(np.ones_like(out), x, w, stride=2, pad=1)
    assert np.shape(dx) == x.shape, f"dx shape {np.shape(dx)}, expected {x.shape}"
    assert np.shape(dw) == w.shape, f"dw shape {np.shape(dw)}, expected {w.shape}"
    assert np.shape(db) == (4,), f"db shape {np.shape(db)}, expected (4,)"
