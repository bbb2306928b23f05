from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_fit_and_predict(fit_logistic, predict, np):
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    w, b, losses = fit_logistic(X, y, lr=0.5, n_steps=20)
    assert np.shape(losses) == (20,), f"losses shape {np.shape(losses)}, expected (20,)"
    assert np.isclose(losses[0], np.log(2)), "losses[0] is the loss at w = 0, b = 0"
    assert losses[-1] < losses[0], "the loss should decrease"
    assert list(predict(X, w, b)) == [0, 0, 1, 1], "this separable toy set should be classified perfectly"
