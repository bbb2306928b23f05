from otter.test_files import test_case

OK_FORMAT = False
name = "q6"
points = 1


@test_case(points=None, hidden=False)
def test_split_worked_example(train_test_split, np):
    X = np.arange(10.0).reshape(5, 2)
    Xtr, Xte, ytr, yte = train_test_split(X, np.arange(5), 0.4, np.random.default_rng(0))
    assert list(yte) == [2, 4] and list(ytr) == [3, 0, 1], f"got test {yte}, train {ytr}"
    assert np.array_equal(Xte, X[[2, 4]]), "rows of X and y must stay paired"
