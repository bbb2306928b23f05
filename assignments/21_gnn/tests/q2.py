from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_parameters(GCNLayer):
    m = GCNLayer(4, 2)
    names = {n: tuple(p.shape) for n, p in m.named_parameters()}
    assert names == {"linear.weight": (2, 4), "bias": (2,)}, f"parameters {names}"
    names = {n for n, _ in GCNLayer(4, 2, bias=False).named_parameters()}
    assert names == {"linear.weight"}, f"bias=False: parameters {names}"


@test_case(points=1, hidden=False)
def test_shape_and_bias_after_propagation(GCNLayer, torch):
    m = GCNLayer(4, 2)
    with torch.no_grad():
        m.linear.weight.zero_()
        m.bias.fill_(1.5)
    ei = torch.tensor([[0, 1, 2], [1, 2, 1]])
    y = m(torch.randn(5, 4), ei)
    assert tuple(y.shape) == (5, 2), f"output shape {tuple(y.shape)}, expected (5, 2)"
    assert torch.allclose(y, torch.full((5, 2), 1.5)), f"with W = 0 the output is the bias at every node: {y}"
