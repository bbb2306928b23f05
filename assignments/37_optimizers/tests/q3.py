from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=None, hidden=False)
def test_first_steps(AdaGrad, RMSprop, np):
    g = np.array([2.0, -0.5, 1e-3])
    p = np.zeros(3)
    AdaGrad([p], lr=0.1).step([g.copy()])
    assert np.allclose(p, -0.1 * np.sign(g), rtol=1e-5), f"AdaGrad first step gave {p}"
    q = np.zeros(3)
    RMSprop([q], lr=0.1, rho=0.9).step([g.copy()])
    expected = -0.1 * np.sign(g) / np.sqrt(0.1)
    assert np.allclose(q, expected, rtol=1e-4), f"RMSprop first step gave {q}, expected {expected}"


@test_case(points=None, hidden=False)
def test_shapes_kept(AdaGrad, np):
    W, b = np.ones((3, 2)), np.ones(2)
    opt = AdaGrad([W, b], lr=0.1)
    for _ in range(3):
        opt.step([np.ones((3, 2)), np.ones(2)])
    assert W.shape == (3, 2) and b.shape == (2,), "parameters keep their shapes"
    assert W[0, 0] < 1 and b[0] < 1, "the parameters passed in must be updated in place"
