from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(info_nce, torch):
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    k = torch.tensor([[2.0, 0.0], [1.0, 1.0]])
    loss = info_nce(q, k, temperature=0.5)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-dim tensor"
    assert abs(float(loss) - 0.3301) < 1e-4, f"loss {float(loss):.4f}, expected 0.3301"
    loss.backward()
    assert q.grad is not None, "the loss must stay differentiable (no .item())"
    x = torch.randn(4, 8)
    low = info_nce(x, x, temperature=0.01)
    assert torch.isfinite(low), f"temperature 0.01 in float32 gave {low}"
