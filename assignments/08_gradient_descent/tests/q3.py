from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_stopping_worked_example(gd_until_converged, np):
    w, n = gd_until_converged(lambda w: 2 * w, np.array([1.0]), 0.25, 0.3, 100)
    assert n == 3 and np.allclose(w, [0.125]), f"got w={w}, n_iters={n}; expected [0.125], 3"
    w, n = gd_until_converged(lambda w: 2 * w, np.array([0.0]), 0.25, 0.3, 100)
    assert n == 0, "starting at the optimum makes no update"
    w, n = gd_until_converged(lambda w: 2 * w, np.array([1.0]), 0.25, 1e-12, 5)
    assert n == 5, "when the tolerance is never met, n_iters is max_iters"
