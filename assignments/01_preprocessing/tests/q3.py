from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_pair_shapes(scale_train_test, np):
    tr, te = scale_train_test(np.arange(10.0).reshape(5, 2), np.ones((3, 2)), "standard")
    assert np.shape(tr) == (5, 2) and np.shape(te) == (3, 2), "shapes must match the inputs"
    tr, te = scale_train_test(np.array([[0.0], [2.0]]), np.array([[4.0]]), "minmax")
    assert np.allclose(te, [[2.0]]), f"test row scaled with the training range should be 2.0, got {te}"
