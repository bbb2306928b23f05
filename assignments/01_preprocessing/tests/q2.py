from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_minmax_worked_example(minmax_fit, minmax_transform, np):
    lo, hi = minmax_fit(np.array([[0.0, 5.0], [4.0, 5.0]]))
    assert np.allclose(lo, [0, 5]) and np.allclose(hi, [4, 5]), f"got lo {lo}, hi {hi}"
    y = minmax_transform(np.array([[2.0, 7.0]]), lo, hi)
    assert np.allclose(y, [[0.5, 2.0]]), f"got {y}, expected [[0.5, 2.0]]"
