from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_linear(linear_beta_schedule, torch):
    b = linear_beta_schedule(5)
    assert tuple(b.shape) == (5,) and b.dtype == torch.float64, f"{tuple(b.shape)} {b.dtype}"
    want = torch.tensor([1e-4, 0.005075, 0.01005, 0.015025, 0.02], dtype=torch.float64)
    assert torch.allclose(b, want), f"linear_beta_schedule(5) = {b}"


@test_case(points=1, hidden=False)
def test_cosine(cosine_beta_schedule, torch):
    b = cosine_beta_schedule(4)
    assert tuple(b.shape) == (4,) and b.dtype == torch.float64, f"{tuple(b.shape)} {b.dtype}"
    want = torch.tensor([0.1530, 0.4170, 0.7079, 0.9990], dtype=torch.float64)
    assert torch.allclose(b, want, atol=1e-4), f"cosine_beta_schedule(4) = {b}"
    b = cosine_beta_schedule(1000)
    assert abs(float(b[0]) - 4.1284e-05) < 1e-9, f"first beta of T = 1000: {float(b[0]):.6e}"
