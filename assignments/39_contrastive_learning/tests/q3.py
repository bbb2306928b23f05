from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(nt_xent, torch):
    z1 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    z2 = torch.tensor([[1.0, 1.0], [0.0, 2.0]])
    loss = nt_xent(z1, z2, temperature=0.5)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-dim tensor"
    assert abs(float(loss) - 0.6367) < 1e-4, f"loss {float(loss):.4f}, expected 0.6367"
    swapped = nt_xent(z2, z1, temperature=0.5)
    assert abs(float(swapped) - 0.6367) < 1e-4, f"swapping the views gave {float(swapped):.4f}"
    one = nt_xent(torch.randn(1, 3), torch.randn(1, 3))
    assert abs(float(one)) < 1e-6, f"N = 1: the only candidate is the positive, loss 0; got {float(one)}"
