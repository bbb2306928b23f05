from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(diffusion_constants, torch):
    c = diffusion_constants(torch.tensor([0.1, 0.2, 0.5], dtype=torch.float64))
    want = {"alphas": [0.9, 0.8, 0.5], "alpha_bars": [0.9, 0.72, 0.36],
            "alpha_bars_prev": [1.0, 0.9, 0.72], "posterior_variance": [0.0, 0.2 * 0.1 / 0.28, 0.21875]}
    for key, values in want.items():
        got = c[key]
        assert torch.allclose(got, torch.tensor(values, dtype=torch.float64)), f"{key} = {got}"
