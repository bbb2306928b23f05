from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=1, hidden=False)
def test_perfect_model(ddpm_loss, torch):
    ab = torch.tensor([0.9, 0.72, 0.36], dtype=torch.float64)
    noise = torch.randn(4, 3)
    t = torch.tensor([0, 1, 2, 1])
    perfect = lambda x_t, t_: noise  # noqa: E731 - knows the noise
    assert abs(float(ddpm_loss(perfect, torch.randn(4, 3), t, noise, ab))) < 1e-12
    zero = lambda x_t, t_: torch.zeros_like(x_t)  # noqa: E731
    loss = ddpm_loss(zero, torch.randn(4, 3), t, noise, ab)
    assert loss.dim() == 0 and torch.allclose(loss, (noise ** 2).mean()), f"loss {loss}"
