from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(gaussian_kl, torch, math):
    kl = gaussian_kl(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, math.log(4.0)]]))
    assert tuple(kl.shape) == (1,), f"shape {tuple(kl.shape)}, expected (1,): one KL per example"
    assert abs(float(kl[0]) - 1.3069) < 1e-4, f"KL {float(kl[0]):.4f}, expected 1.3069"
    zero = gaussian_kl(torch.zeros(3, 4), torch.zeros(3, 4))
    assert torch.allclose(zero, torch.zeros(3)), f"KL of the prior to itself: {zero}"
