from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=None, hidden=False)
def test_sgd_worked_example_in_place(SGD, np):
    p = np.array([1.0, 2.0])
    opt = SGD([p], lr=0.1)
    result = opt.step([np.array([1.0, -1.0])])
    assert result is None, "step() updates the parameters in place and returns nothing"
    assert np.allclose(p, [0.9, 2.1]), f"p is {p} after one step, expected [0.9, 2.1] (in place)"
