from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_im2col_example(im2col, np):
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    cols = im2col(x, 2, 2)
    assert np.shape(cols) == (4, 4), f"im2col shape {np.shape(cols)}, expected (N*OH*OW, C*KH*KW) = (4, 4)"
    expected = np.array([[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8.0]])
    assert np.allclose(cols, expected), f"im2col of arange(9) with a 2x2 window:\n{cols}\nexpected\n{expected}"
    shape = np.shape(im2col(np.zeros((2, 3, 5, 4)), 3, 2, stride=2, pad=1))
    assert shape == (2 * 3 * 3, 3 * 3 * 2), f"shape with stride 2, pad 1: {shape}, expected (18, 18)"


@test_case(points=1, hidden=False)
def test_col2im_counts_overlaps(col2im, np):
    out = col2im(np.ones((4, 4)), (1, 1, 3, 3), 2, 2)
    expected = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1.0]])
    assert np.shape(out) == (1, 1, 3, 3), f"col2im shape {np.shape(out)}, expected (1, 1, 3, 3)"
    assert np.allclose(out[0, 0], expected), f"col2im of ones should count windows per pixel, got\n{out[0, 0]}"
