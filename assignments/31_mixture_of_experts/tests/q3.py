from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 3


@test_case(points=1, hidden=False)
def test_parameters_and_shapes(MoELayer, torch):
    m = MoELayer(6, 10, 4, k=2)
    names = {n: tuple(p.shape) for n, p in m.named_parameters()}
    expected = {"router.weight": (4, 6), "w1": (4, 6, 10), "b1": (4, 10), "w2": (4, 10, 6), "b2": (4, 6)}
    assert names == expected, f"parameters {names}, expected {expected}"
    y, aux = m(torch.randn(2, 3, 6))
    assert tuple(y.shape) == (2, 3, 6) and tuple(aux.shape) == (), f"shapes {tuple(y.shape)}, {tuple(aux.shape)}"


@test_case(points=2, hidden=False)
def test_one_expert_is_a_plain_ffn(MoELayer, torch):
    torch.manual_seed(0)
    m = MoELayer(4, 8, 1, k=1)
    x = torch.randn(5, 4)
    y, _ = m(x)
    ffn = torch.relu(x @ m.w1[0] + m.b1[0]) @ m.w2[0] + m.b2[0]
    assert torch.allclose(y, ffn, atol=1e-6), "with one expert and k = 1, the layer is that expert's FFN"
    capped = MoELayer(4, 8, 1, k=1, capacity_factor=0.5)  # capacity ceil(0.5 * 5 * 1 / 1) = 3
    capped.load_state_dict(m.state_dict())
    y, _ = capped(x)
    assert torch.allclose(y[:3], ffn[:3], atol=1e-6) and torch.all(y[3:] == 0), "capacity 3: tokens 3, 4 dropped"
