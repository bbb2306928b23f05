from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_update_means(update_centers, np):
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0], [10.0, 12.0]])
    new = update_centers(X, np.array([0, 0, 1, 1]), np.zeros((2, 2)))
    assert np.shape(new) == (2, 2), f"shape {np.shape(new)}, expected (K, D) = (2, 2)"
    assert np.allclose(new, [[1, 0], [10, 11]]), f"got\n{new}"


@test_case(points=1, hidden=False)
def test_empty_cluster_keeps_old_centre(update_centers, np):
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0]])
    old = np.array([[1.0, 1.0], [5.0, 5.0], [9.0, 9.0]])
    new = update_centers(X, np.array([0, 0, 2]), old)
    assert np.all(np.isfinite(new)), "an empty cluster produced NaN: keep its old centre"
    assert np.allclose(new, [[1, 0], [5, 5], [10, 10]]), f"got\n{new}"
