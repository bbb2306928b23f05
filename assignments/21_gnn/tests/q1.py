from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(normalized_adjacency, torch):
    ei = torch.tensor([[0, 1, 2], [1, 2, 1]])
    a = normalized_adjacency(ei, 3)
    expected = torch.tensor([[1.0, 0.0, 0.0], [0.5774, 0.3333, 0.4082], [0.0, 0.4082, 0.5]])
    assert tuple(a.shape) == (3, 3), f"shape {tuple(a.shape)}, expected (3, 3)"
    assert a.dtype == torch.float32, f"dtype {a.dtype}, expected torch.float32 by default"
    assert torch.allclose(a, expected, atol=1e-4), f"A_hat =\n{a}\nexpected\n{expected}"


@test_case(points=1, hidden=False)
def test_no_self_loops_and_isolated(normalized_adjacency, torch):
    ei = torch.tensor([[0, 1, 2], [1, 2, 1]])
    a = normalized_adjacency(ei, 4, add_self_loops=False, dtype=torch.float64)
    assert tuple(a.shape) == (4, 4) and a.dtype == torch.float64, f"{tuple(a.shape)}, {a.dtype}"
    assert torch.isfinite(a).all(), f"nodes without incoming edges must give 0, not inf/nan:\n{a}"
    expected = torch.zeros(4, 4, dtype=torch.float64)
    expected[1, 2] = expected[2, 1] = 2 ** -0.5
    assert torch.allclose(a, expected, atol=1e-4), f"A_hat =\n{a}\nexpected\n{expected}"
