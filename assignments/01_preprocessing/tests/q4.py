from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_impute_worked_example(impute_fit, impute_transform, np):
    X = np.array([[1.0, np.nan], [3.0, 4.0], [8.0, 6.0]])
    assert np.allclose(impute_fit(X, "median"), [3.0, 5.0]), "median fill should be [3, 5]"
    assert np.allclose(impute_fit(X, "mean"), [4.0, 5.0]), "mean fill should be [4, 5]"
    out = impute_transform(X, np.array([0.0, 5.0]))
    assert not np.isnan(out).any(), "NaNs remain after impute_transform"
    assert np.isnan(X[0, 1]), "impute_transform must not modify its input"
