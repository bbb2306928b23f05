from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_noise_draw(add_noise, torch):
    x = torch.rand(4, 8, dtype=torch.float64)
    x_before = x.clone()
    y = add_noise(x, 0.3, torch.Generator().manual_seed(1))
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(1), dtype=x.dtype)
    assert torch.equal(x, x_before), "add_noise must not modify x"
    assert y.dtype == x.dtype, f"dtype {y.dtype}, expected {x.dtype}"
    assert torch.allclose(y, (x + 0.3 * eps).clamp(0, 1)), "follow the draw convention and clamp"


@test_case(points=1, hidden=False)
def test_worked_example(denoising_loss, torch):
    x = torch.tensor([[0.2, 0.9]])
    model = lambda inp: torch.tensor([[0.3, 0.8]])  # noqa: E731 - a fixed reconstruction
    loss = denoising_loss(model, x, 0.5, torch.Generator().manual_seed(0))
    assert loss.dim() == 0, f"the loss must be a scalar tensor, got shape {tuple(loss.shape)}"
    assert abs(loss.item() - 0.01) < 1e-6, f"loss {loss.item()}, expected 0.01"
