from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=None, hidden=False)
def test_sgd_step_in_place(sgd_step, np):
    params = {"w": np.array([1.0, 2.0])}
    out = sgd_step(params, {"w": np.array([10.0, -10.0])}, 0.1)
    assert np.allclose(params["w"], [0.0, 3.0]), f"params['w'] is {params['w']}, expected [0, 3]"
    assert out is params, "sgd_step should return the same dict it updated"


@test_case(points=None, hidden=False)
def test_train_on_four_corners(train_mlp, predict, np):
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    params, losses = train_mlp(X, y, n_hidden=8, lr=0.5, n_steps=400, seed=3)
    assert np.shape(losses) == (400,), f"losses shape {np.shape(losses)}, expected (400,)"
    assert losses[-1] < losses[0], "the loss should go down"
    pred = predict(params, X)
    assert np.array_equal(pred, y.astype(int)), f"predictions {pred}, expected {y.astype(int)}"
