from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_values(l1_penalty, l2_penalty, np):
    w = np.array([3.0, -4.0, 0.0])
    assert np.isclose(l1_penalty(w, 0.1), 0.7), f"L1 = {l1_penalty(w, 0.1)}, expected 0.7"
    assert np.isclose(l2_penalty(w, 0.1), 1.25), f"L2 = {l2_penalty(w, 0.1)}, expected 1.25 (lam / 2 * sum w^2)"


@test_case(points=1, hidden=False)
def test_gradients(l1_grad, l2_grad, np):
    w = np.array([3.0, -4.0, 0.0])
    assert np.allclose(l1_grad(w, 0.1), [0.1, -0.1, 0.0]), f"L1 gradient {l1_grad(w, 0.1)}"
    assert np.allclose(l2_grad(w, 0.1), [0.3, -0.4, 0.0]), f"L2 gradient {l2_grad(w, 0.1)}"
