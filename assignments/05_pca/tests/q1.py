from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=1, hidden=False)
def test_center_example(center, np):
    Xc, mean = center(np.array([[1.0, 2.0], [3.0, 6.0]]))
    assert np.shape(mean) == (2,), f"mean shape {np.shape(mean)}, expected (D,) = (2,)"
    assert np.allclose(mean, [2, 4]), f"mean {mean}, expected [2, 4]"
    assert np.allclose(Xc, [[-1, -2], [1, 2]]), f"centred data\n{Xc}"
