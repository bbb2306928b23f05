from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(p_sample_step, torch):
    betas = torch.tensor([0.1, 0.2, 0.5], dtype=torch.float64)
    x = torch.tensor([[1.0, 2.0], [1.0, 2.0]], dtype=torch.float64)
    out = p_sample_step(lambda x_t, t: torch.full_like(x_t, 0.5), x, torch.tensor([2, 0]),
                        torch.tensor([[1.0, -1.0], [1.0, -1.0]], dtype=torch.float64), betas)
    want = torch.tensor([[1.4400, 1.9188], [0.8874, 1.9415]], dtype=torch.float64)
    assert torch.allclose(out, want, atol=1e-4), f"x_(t-1) = {out}"
