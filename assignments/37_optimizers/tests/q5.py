from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=None, hidden=False)
def test_schedule_worked_example(warmup_cosine_lr, np):
    got = [warmup_cosine_lr(t, 1.0, 2, 6) for t in range(7)]
    expected = [0.5, 1.0, 1.0, 0.853553, 0.5, 0.146447, 0.0]
    assert np.allclose(got, expected, atol=1e-5), f"got {np.round(got, 4)}, expected {expected}"


@test_case(points=None, hidden=False)
def test_clip_worked_example(clip_grad_norm, np):
    clipped, norm = clip_grad_norm([np.array([3.0]), np.array([4.0])], 1.0)
    assert np.isclose(norm, 5.0), f"norm {norm}, expected 5.0 (before clipping)"
    assert np.allclose(clipped[0], [0.6]) and np.allclose(clipped[1], [0.8]), f"got {clipped}"
    same, norm = clip_grad_norm([np.array([0.3]), np.array([0.4])], 1.0)
    assert np.allclose(same[0], [0.3]) and np.allclose(same[1], [0.4]), "below max_norm: unchanged"
