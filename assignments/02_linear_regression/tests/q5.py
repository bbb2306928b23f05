from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=None, hidden=False)
def test_r2_worked_example(r2_score, np):
    y = np.array([1.0, 2.0, 3.0])
    assert np.isclose(r2_score(y, np.array([1.0, 2.0, 4.0])), 0.5), "R^2 should be 0.5"
    assert np.isclose(r2_score(y, y), 1.0), "a perfect fit has R^2 = 1"
