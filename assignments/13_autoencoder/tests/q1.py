from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_parameter_names(Autoencoder):
    m = Autoencoder(64, 32, 8)
    names = {n: tuple(p.shape) for n, p in m.named_parameters()}
    expected = {"enc1.weight": (32, 64), "enc1.bias": (32,), "enc2.weight": (8, 32), "enc2.bias": (8,),
                "dec1.weight": (32, 8), "dec1.bias": (32,), "dec2.weight": (64, 32), "dec2.bias": (64,)}
    assert names == expected, f"parameters {names}, expected {expected}"


@test_case(points=1, hidden=False)
def test_worked_example(Autoencoder, torch):
    m = Autoencoder(2, 1, 1)
    with torch.no_grad():
        for p in m.parameters():
            p.fill_(1.0 if p.dim() == 2 else 0.0)
        x = torch.tensor([[0.5, 0.25]])
        z = m.encode(x)
        y = m(x)
    assert tuple(z.shape) == (1, 1) and abs(z.item() - 0.75) < 1e-6, f"code {z}, expected [[0.75]]"
    assert tuple(y.shape) == (1, 2), f"output shape {tuple(y.shape)}, expected (1, 2)"
    assert torch.allclose(y, torch.full((1, 2), 0.679179), atol=1e-5), f"output {y}, expected 0.6792"
