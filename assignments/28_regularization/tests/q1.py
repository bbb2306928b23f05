from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(dropout_forward, np):
    out, mask = dropout_forward(np.arange(1.0, 7.0), 0.5, np.random.default_rng(0))
    assert np.shape(out) == (6,) and np.shape(mask) == (6,), "out and mask have the shape of x"
    assert np.array_equal(np.asarray(mask, dtype=bool), [True, False, False, False, True, True]), (
        f"mask {mask}: draw rng.random(x.shape) once and keep where the draw is >= p")
    assert np.allclose(out, [2.0, 0.0, 0.0, 0.0, 10.0, 12.0]), f"out {out}: kept values are x / (1 - p)"


@test_case(points=1, hidden=False)
def test_eval_is_identity(dropout_forward, np):
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    rng = np.random.default_rng(5)
    out, mask = dropout_forward(x, 0.3, rng, False)
    assert np.array_equal(out, x), "eval mode returns x unchanged"
    assert np.all(mask), "eval mode keeps every unit"
    assert np.isclose(rng.random(), np.random.default_rng(5).random()), "eval mode must not draw"
