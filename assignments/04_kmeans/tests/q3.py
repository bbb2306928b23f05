from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_wcss_example(wcss, np):
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0]])
    value = wcss(X, np.array([[1.0, 0.0], [5.0, 5.0], [10.0, 10.0]]), np.array([0, 0, 2]))
    assert np.isclose(value, 2.0), f"wcss {value}, expected 2.0 (a sum, not a mean)"
