from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_normal_equation_worked_example(normal_equation, np):
    w, b = normal_equation(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]))
    assert np.shape(w) == (1,), f"w shape {np.shape(w)}, expected (1,)"
    assert np.allclose(w, [2.0]) and np.isclose(b, 1.0), f"got w={w}, b={b}; expected w=[2], b=1"
