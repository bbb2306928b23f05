from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(reparameterize, torch, math):
    z = reparameterize(torch.tensor([[0.5, -1.0]]), torch.tensor([[0.0, math.log(4.0)]]),
                       torch.tensor([[1.0, 0.5]]))
    assert tuple(z.shape) == (1, 2), f"shape {tuple(z.shape)}"
    assert torch.allclose(z, torch.tensor([[1.5, 0.0]]), atol=1e-6), f"z = {z} (sigma = exp(logvar / 2))"
