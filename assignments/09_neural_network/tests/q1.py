from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_init_shapes_and_biases(init_params, np):
    p = init_params(3, 7, 1, np.random.default_rng(0))
    expected = {"W1": (3, 7), "b1": (7,), "W2": (7, 1), "b2": (1,)}
    for k, shape in expected.items():
        assert k in p, f"missing key {k!r}"
        assert np.shape(p[k]) == shape, f"{k} has shape {np.shape(p[k])}, expected {shape}"
    assert np.all(p["b1"] == 0) and np.all(p["b2"] == 0), "biases must start at zero"
    assert np.std(p["W1"]) > 0, "W1 must be random, not constant"


@test_case(points=None, hidden=False)
def test_init_scale(init_params, np):
    p = init_params(200, 400, 1, np.random.default_rng(1))
    assert abs(np.std(p["W1"]) - np.sqrt(2 / 200)) < 0.01, "W1 should be He-normal: std sqrt(2/fan_in)"
    assert abs(np.std(p["W2"]) - np.sqrt(2 / 401)) < 0.02, "W2 should be Xavier-normal"
