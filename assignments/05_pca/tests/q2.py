from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2

POINTS = [[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]]


@test_case(points=1, hidden=False)
def test_fit_example(pca_fit, np):
    comps, var, ratio, mean = pca_fit(np.array(POINTS), 2)
    assert np.shape(comps) == (2, 2), f"components shape {np.shape(comps)}, expected (k, D) = (2, 2)"
    assert np.allclose(np.abs(comps), [[1, 0], [0, 1]]), f"components (up to sign)\n{comps}"
    assert np.allclose(var, [8 / 3, 2 / 3]), f"explained variance {var}, expected [8/3, 2/3] (divide by N - 1)"
    assert np.allclose(ratio, [0.8, 0.2]), f"explained variance ratio {ratio}, expected [0.8, 0.2]"
    assert np.allclose(mean, [0, 0]), f"mean {mean}"


@test_case(points=1, hidden=False)
def test_fit_orthonormal_and_ratio_of_total(pca_fit, np):
    X = np.random.default_rng(0).standard_normal((30, 5)) * [5, 3, 2, 1, 0.5] + 7
    comps, var, ratio, mean = pca_fit(X, 2)
    assert np.allclose(comps @ comps.T, np.eye(2)), "components must be orthonormal rows"
    assert np.allclose(mean, X.mean(axis=0)), "mean must be the column mean of X"
    assert np.all(np.diff(var) <= 0), "components must come in order of decreasing variance"
    assert ratio.sum() < 1, "ratios are shares of the TOTAL variance (all components), so 2 of 5 sum below 1"
