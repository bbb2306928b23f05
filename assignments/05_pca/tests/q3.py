from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2

POINTS = [[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]]


@test_case(points=1, hidden=False)
def test_transform_example(pca_transform, np):
    Z = pca_transform(np.array(POINTS), np.array([[1.0, 0.0]]), np.zeros(2))
    assert np.shape(Z) == (4, 1), f"projection shape {np.shape(Z)}, expected (N, k) = (4, 1)"
    assert np.allclose(Z, [[2], [-2], [0], [0]]), f"projections {Z.ravel()}"
    Z2 = pca_transform(np.array([[3.0, 5.0]]), np.array([[1.0, 0.0]]), np.array([1.0, 1.0]))
    assert np.allclose(Z2, [[2.0]]), "subtract the (training) mean before projecting"


@test_case(points=1, hidden=False)
def test_round_trip(pca_transform, pca_inverse_transform, np):
    X_hat = pca_inverse_transform(np.array([[2.0], [-2.0], [0.0], [0.0]]), np.array([[1.0, 0.0]]),
                                  np.array([1.0, 1.0]))
    assert np.shape(X_hat) == (4, 2), f"reconstruction shape {np.shape(X_hat)}, expected (4, 2)"
    assert np.allclose(X_hat, [[3, 1], [-1, 1], [1, 1], [1, 1]]), "add the mean back after Z @ components"
