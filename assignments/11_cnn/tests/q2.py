from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_forward_example(conv2d_forward, np):
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    out = conv2d_forward(x, w, np.array([0.5]))
    assert np.shape(out) == (1, 1, 2, 2), f"output shape {np.shape(out)}, expected (1, 1, 2, 2)"
    assert np.allclose(out, -3.5), f"expected every output to be -3.5 (cross-correlation, kernel not flipped), got {out.ravel()}"
    padded = conv2d_forward(x, w, np.array([0.5]), pad=1)
    assert np.shape(padded) == (1, 1, 4, 4), f"with pad=1 the shape is {np.shape(padded)}, expected (1, 1, 4, 4)"
    assert np.isclose(padded[0, 0, 0, 0], 0.5), f"padded corner {padded[0, 0, 0, 0]}, expected 0.5"


@test_case(points=1, hidden=False)
def test_forward_shapes(conv2d_forward, np):
    x = np.zeros((2, 3, 7, 6))
    out = conv2d_forward(x, np.zeros((4, 3, 3, 3)), np.ones(4), stride=2, pad=1)
    assert np.shape(out) == (2, 4, 4, 3), f"shape {np.shape(out)}, expected (2, 4, 4, 3)"
    assert np.allclose(out, 1.0), "zero input and zero weights must give the bias"
