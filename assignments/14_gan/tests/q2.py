from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_names_and_shapes(Generator, Discriminator, torch):
    G, D = Generator(4, 32, 1), Discriminator(1, 32)
    g = {k: tuple(p.shape) for k, p in G.named_parameters()}
    assert g == {"fc1.weight": (32, 4), "fc1.bias": (32,), "fc2.weight": (32, 32), "fc2.bias": (32,),
                 "out.weight": (1, 32), "out.bias": (1,)}, f"Generator parameters {g}"
    d = {k: tuple(p.shape) for k, p in D.named_parameters()}
    assert d == {"fc1.weight": (32, 1), "fc1.bias": (32,), "fc2.weight": (32, 32), "fc2.bias": (32,),
                 "out.weight": (1, 32), "out.bias": (1,)}, f"Discriminator parameters {d}"
    x = G(torch.randn(10, 4))
    assert tuple(x.shape) == (10, 1), f"G(z) shape {tuple(x.shape)}"
    assert tuple(D(x).shape) == (10,), f"D(x) shape {tuple(D(x).shape)}, expected (10,)"
