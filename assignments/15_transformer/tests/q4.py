from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=1, hidden=False)
def test_shape_and_causality(DecoderBlock, torch):
    torch.manual_seed(0)
    m = DecoderBlock(16, 4, 32)
    names = {n for n, _ in m.named_parameters()}
    for n in ("cross_attn.w_k.weight", "norm3.weight", "ff1.bias"):
        assert n in names, f"{n} missing: {sorted(names)}"
    y, memory = torch.randn(2, 4, 16), torch.randn(2, 6, 16)
    out = m(y, memory)
    assert tuple(out.shape) == (2, 4, 16), f"output shape {tuple(out.shape)}, expected (2, 4, 16)"
    y2 = y.clone()
    y2[:, -1] += 1.0
    assert torch.allclose(m(y2, memory)[:, :-1], out[:, :-1], atol=1e-6), "causal: earlier positions changed"
