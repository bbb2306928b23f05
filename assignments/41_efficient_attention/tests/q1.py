from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_values(elu_feature_map, torch):
    y = elu_feature_map(torch.tensor([-1.0, 0.0, 2.0]))
    assert torch.allclose(y, torch.tensor([0.3679, 1.0, 3.0]), atol=1e-4), f"phi([-1, 0, 2]) = {y}"
    big = elu_feature_map(torch.tensor([-30.0, 1000.0]))
    assert torch.isfinite(big).all() and (big > 0).all(), f"phi([-30, 1000]) = {big}"


@test_case(points=1, hidden=False)
def test_backward(EluPlusOne, torch):
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    EluPlusOne.apply(x).sum().backward()
    assert torch.allclose(x.grad, torch.tensor([0.3679, 1.0, 1.0]), atol=1e-4), f"gradient {x.grad}"
