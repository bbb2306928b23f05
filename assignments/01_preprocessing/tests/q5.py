from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=None, hidden=False)
def test_iqr_worked_example(iqr_outlier_mask, np):
    m = iqr_outlier_mask(np.array([[1.0], [2.0], [3.0], [4.0], [100.0]]))
    assert np.shape(m) == (5, 1), f"mask shape {np.shape(m)}, expected (5, 1)"
    assert np.asarray(m).dtype == bool, "the mask must be boolean"
    assert list(np.asarray(m)[:, 0]) == [False, False, False, False, True]
