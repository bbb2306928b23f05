from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_quadratic_worked_example(quadratic_trajectory, max_stable_lr, np):
    A = np.diag([1.0, 4.0])
    assert np.isclose(max_stable_lr(A), 0.5), "2 / L = 0.5 for diag(1, 4)"
    t = quadratic_trajectory(A, np.ones(2), 0.3, 2)
    assert np.shape(t) == (3, 2), f"trajectory shape {np.shape(t)}, expected (3, 2)"
    assert np.allclose(t, [[1, 1], [0.7, -0.2], [0.49, 0.04]]), f"got {t}"
