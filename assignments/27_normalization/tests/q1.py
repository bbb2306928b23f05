from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_train_worked_example(batchnorm_forward, np):
    x = np.array([[1.0], [3.0]])
    out, rm, rv = batchnorm_forward(x, np.ones(1), np.zeros(1), np.zeros(1), np.ones(1), True, 0.1)
    assert np.shape(out) == (2, 1), f"out has shape {np.shape(out)}, expected (2, 1)"
    assert np.allclose(out, [[-1.0], [1.0]], atol=1e-4), f"out = {out}, expected about [[-1], [1]]"
    assert np.allclose(rm, [0.2]), f"running mean {rm}, expected [0.2]"
    assert np.allclose(rv, [1.1]), (f"running var {rv}, expected [1.1] (the running variance uses "
                                    f"the unbiased batch variance)")


@test_case(points=1, hidden=False)
def test_eval_uses_running_stats(batchnorm_forward, np):
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    rm, rv = np.array([1.0, 2.0]), np.array([4.0, 1.0])
    out, m, v = batchnorm_forward(x, np.ones(2), np.zeros(2), rm, rv, False)
    assert np.shape(out) == (2, 2), f"out has shape {np.shape(out)}, expected (2, 2)"
    assert np.allclose(out[0], [0.0, 0.0], atol=1e-4), "eval mode must normalise with the running stats"
    assert np.allclose(m, rm) and np.allclose(v, rv), "eval mode must not change the running stats"
