from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_kmeanspp_shape_and_points(kmeans_plus_plus, np):
    X = np.random.default_rng(0).standard_normal((20, 3))
    C = kmeans_plus_plus(X, 4, np.random.default_rng(1))
    assert np.shape(C) == (4, 3), f"shape {np.shape(C)}, expected (K, D) = (4, 3)"
    for c in C:
        assert np.any(np.all(np.isclose(X, c), axis=1)), "every initial centre must be a data point"
    assert len({tuple(np.round(c, 12)) for c in C}) == 4, "a point was chosen twice"


@test_case(points=1, hidden=False)
def test_kmeanspp_first_draw_is_integers(kmeans_plus_plus, np):
    X = np.random.default_rng(2).standard_normal((15, 2))
    first = np.random.default_rng(5).integers(15)
    C = kmeans_plus_plus(X, 1, np.random.default_rng(5))
    assert np.allclose(C[0], X[first]), "the first centre must be X[rng.integers(n)] (one draw)"
