from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=1, hidden=False)
def test_choose_example(choose_n_components, np):
    X = np.random.default_rng(1).standard_normal((400, 3)) * [10.0, 1.0, 0.1]
    k = choose_n_components(X, 0.9)
    assert isinstance(k, (int, np.integer)), f"return an int, got {type(k)}"
    assert k == 1, f"one direction carries ~99% of the variance: expected 1, got {k}"
    assert choose_n_components(X, 1.0) <= 3
