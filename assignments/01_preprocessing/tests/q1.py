from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_standardize_shapes(standardize_fit, standardize_transform, np):
    X = np.arange(12.0).reshape(4, 3)
    mean, std = standardize_fit(X)
    assert np.shape(mean) == (3,) and np.shape(std) == (3,), "mean and std must have shape (d,)"
    assert np.shape(standardize_transform(X[:2], mean, std)) == (2, 3)


@test_case(points=None, hidden=False)
def test_standardize_worked_example(standardize_fit, standardize_transform, np):
    mean, std = standardize_fit(np.array([[1.0], [3.0]]))
    assert np.allclose(mean, [2.0]) and np.allclose(std, [1.0]), f"got mean {mean}, std {std}"
    z = standardize_transform(np.array([[5.0]]), mean, std)
    assert np.allclose(z, [[3.0]]), f"transform([[5.0]]) = {z}, expected [[3.0]]"
