from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=None, hidden=False)
def test_momentum_worked_example(Momentum, np):
    p = np.zeros(1)
    opt = Momentum([p], lr=0.1, beta=0.9)
    opt.step([np.ones(1)])
    assert np.allclose(p, [-0.1]), f"after step 1 p is {p}, expected [-0.1]"
    opt.step([np.ones(1)])
    assert np.allclose(p, [-0.29]), f"after step 2 p is {p}, expected [-0.29]"


@test_case(points=None, hidden=False)
def test_nesterov_worked_example(Nesterov, np):
    p = np.zeros(1)
    opt = Nesterov([p], lr=0.1, beta=0.9)
    opt.step([np.ones(1)])
    assert np.allclose(p, [-0.19]), f"after step 1 p is {p}, expected [-0.19]"
    opt.step([np.ones(1)])
    assert np.allclose(p, [-0.461]), f"after step 2 p is {p}, expected [-0.461]"
