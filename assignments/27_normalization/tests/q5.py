from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(instancenorm_forward, np):
    x = np.array([[[[1.0, 3.0], [5.0, 7.0]]]])  # (1, 1, 2, 2)
    out = instancenorm_forward(x, np.ones(1), np.zeros(1))
    assert np.shape(out) == (1, 1, 2, 2), f"shape {np.shape(out)}, expected (1, 1, 2, 2)"
    assert np.allclose(out.ravel(), [-1.342, -0.447, 0.447, 1.342], atol=1e-3), f"got {out.ravel()}"
