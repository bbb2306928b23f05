from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(q_sample, torch):
    ab = torch.tensor([0.9, 0.72, 0.36], dtype=torch.float64)
    x = q_sample(torch.tensor([[1.0, 2.0]]), torch.tensor([1]), torch.tensor([[0.5, -1.0]]), ab)
    assert x.dtype == torch.float32, f"float32 data must give float32, got {x.dtype}"
    assert torch.allclose(x, torch.tensor([[1.1131, 1.1679]]), atol=1e-4), f"x_t = {x}"
    img = q_sample(torch.ones(3, 2, 4, 4), torch.tensor([0, 1, 2]), torch.zeros(3, 2, 4, 4), ab)
    assert tuple(img.shape) == (3, 2, 4, 4), f"shape {tuple(img.shape)}"
    assert torch.allclose(img[:, 0, 0, 0], ab.float().sqrt()), "each sample uses its own t"
