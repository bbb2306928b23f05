from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_parameters_and_shape(EncoderBlock, torch):
    m = EncoderBlock(16, 4, 32)
    names = {n: tuple(p.shape) for n, p in m.named_parameters()}
    for n, shape in [("ff1.weight", (32, 16)), ("ff2.weight", (16, 32)), ("norm1.weight", (16,)),
                     ("norm2.bias", (16,)), ("self_attn.w_q.weight", (16, 16))]:
        assert names.get(n) == shape, f"{n} missing or not {shape}: {sorted(names)}"
    pad = torch.tensor([[False] * 5, [False] * 2 + [True] * 3])
    y = m(torch.randn(2, 5, 16), pad)
    assert tuple(y.shape) == (2, 5, 16), f"output shape {tuple(y.shape)}, expected (2, 5, 16)"
