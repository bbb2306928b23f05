from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(sgd_weight_decay_step, np):
    w = np.array([1.0, -2.0])
    new = sgd_weight_decay_step(w, np.array([0.5, 0.5]), 0.1, 0.01)
    assert np.allclose(new, [0.949, -2.048]), f"got {new}, expected [0.949, -2.048]"
    assert np.array_equal(w, [1.0, -2.0]), "do not modify w in place"
