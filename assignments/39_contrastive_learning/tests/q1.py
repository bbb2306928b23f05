from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(cosine_similarity_matrix, torch):
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    b = torch.tensor([[2.0, 0.0], [1.0, 1.0]])
    s = cosine_similarity_matrix(a, b)
    assert tuple(s.shape) == (2, 2), f"shape {tuple(s.shape)}, expected (2, 2)"
    assert torch.allclose(s, torch.tensor([[1.0, 0.7071], [0.0, 0.7071]]), atol=1e-4), f"S = {s}"
    z = cosine_similarity_matrix(torch.zeros(1, 2), b)
    assert torch.equal(z, torch.zeros(1, 2)), f"a zero row must give similarities 0, got {z}"
    s = cosine_similarity_matrix(torch.randn(3, 5), torch.randn(4, 5))
    assert tuple(s.shape) == (3, 4) and s.dtype == torch.float32, f"{tuple(s.shape)} {s.dtype}"
