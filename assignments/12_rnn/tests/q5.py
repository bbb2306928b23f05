from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 2


@test_case(points=1, hidden=False)
def test_clip_worked_example(clip_grad_norm, np):
    out, norm = clip_grad_norm([np.array([3.0]), np.array([[4.0]])], 1.0)
    assert np.isclose(norm, 5.0), f"norm {norm}, expected 5.0 (before clipping)"
    assert np.allclose(out[0], [0.6]) and np.allclose(out[1], [[0.8]]), f"clipped {out}"
    assert np.shape(out[1]) == (1, 1), "each clipped gradient keeps its shape"


@test_case(points=1, hidden=False)
def test_clip_below_threshold(clip_grad_norm, np):
    out, norm = clip_grad_norm([np.array([3.0]), np.array([[4.0]])], 10.0)
    assert np.allclose(out[0], [3.0]) and np.allclose(out[1], [[4.0]]), "below max_norm nothing changes"
