from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_fit_gd_shapes_and_first_loss(fit_gd, np):
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 3.0, 5.0])
    w, b, losses = fit_gd(X, y, lr=0.1, n_steps=5)
    assert np.shape(w) == (1,) and np.shape(losses) == (5,), "w must be (d,), losses (n_steps,)"
    assert np.isclose(losses[0], np.mean(y ** 2)), "losses[0] is the loss of the all-zero model"
    assert losses[-1] < losses[0], "the loss should decrease"
