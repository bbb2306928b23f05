from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_squared_distances_example(squared_distances, np):
    X = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 0.0]])
    C = np.array([[0.0, 0.0], [5.0, 0.0]])
    d = squared_distances(X, C)
    assert np.shape(d) == (3, 2), f"shape {np.shape(d)}, expected (N, K) = (3, 2)"
    assert np.allclose(d, [[0, 25], [17, 2], [1, 16]]), f"got\n{d}"


@test_case(points=1, hidden=False)
def test_assign_example(assign_clusters, np):
    X = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 0.0]])
    labels = assign_clusters(X, np.array([[0.0, 0.0], [5.0, 0.0]]))
    assert np.shape(labels) == (3,), f"labels shape {np.shape(labels)}, expected (3,)"
    assert np.issubdtype(np.asarray(labels).dtype, np.integer), "labels must be integers"
    assert list(labels) == [0, 1, 0], f"labels {list(labels)}, expected [0, 1, 0]"
