from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_gru_shapes(gru_cell_forward, gru_forward, np):
    h = gru_cell_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((3, 12)), np.zeros((4, 12)),
                         np.zeros(12), np.zeros(12))
    assert np.shape(h) == (2, 4), f"gru_cell_forward shape {np.shape(h)}, expected (2, 4)"
    hs = gru_forward(np.ones((2, 5, 3)), np.zeros((2, 4)), np.zeros((3, 12)), np.zeros((4, 12)),
                     np.zeros(12), np.zeros(12))
    assert np.shape(hs) == (2, 5, 4), f"gru_forward shape {np.shape(hs)}, expected (N, T, H) = (2, 5, 4)"


@test_case(points=1, hidden=False)
def test_gru_worked_example(gru_cell_forward, np):
    h = gru_cell_forward(np.ones((1, 1)), np.array([[0.5]]), np.array([[0.0, 0.0, 1.0]]),
                         np.array([[0.0, 0.0, 2.0]]), np.zeros(3), np.array([0.0, 0.0, 0.5]))
    assert np.allclose(h, [[0.720688]], atol=1e-5), (
        f"h_next {h}, expected [[0.720688]] (r multiplies h Wh_n + bh_n; h' = (1 - z) n + z h)")
