from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_pool_forward_example(maxpool_forward, avgpool_forward, np):
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 6.0]]]])
    mx, av = maxpool_forward(x, 2, 2), avgpool_forward(x, 2, 2)
    assert np.shape(mx) == (1, 1, 1, 2), f"max-pool shape {np.shape(mx)}, expected (1, 1, 1, 2)"
    assert np.allclose(mx, [[[[5.0, 8.0]]]]), f"max pool {mx.ravel()}, expected [5, 8]"
    assert np.allclose(av, [[[[3.25, 4.0]]]]), f"average pool {av.ravel()}, expected [3.25, 4]"
    assert np.shape(maxpool_forward(np.zeros((2, 3, 7, 5)), 3, 1)) == (2, 3, 5, 3), "overlapping windows: wrong shape"


@test_case(points=1, hidden=False)
def test_pool_backward_example(maxpool_backward, avgpool_backward, np):
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 6.0]]]])
    d = np.array([[[[1.0, 2.0]]]])
    dm, da = maxpool_backward(d, x, 2, 2), avgpool_backward(d, x, 2, 2)
    assert np.allclose(dm, [[[[0, 1, 0, 0], [0, 0, 2, 0]]]]), f"max-pool gradient\n{dm[0, 0]}"
    assert np.allclose(da, [[[[0.25, 0.25, 0.5, 0.5], [0.25, 0.25, 0.5, 0.5]]]]), f"average-pool gradient\n{da[0, 0]}"
