from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_parameters(MultiHeadAttention):
    m = MultiHeadAttention(8, 2)
    names = {n: tuple(p.shape) for n, p in m.named_parameters()}
    for lin in ("w_q", "w_k", "w_v", "w_o"):
        assert names.get(f"{lin}.weight") == (8, 8), f"{lin}.weight missing or not (8, 8): {names}"
        assert names.get(f"{lin}.bias") == (8,), f"{lin}.bias missing or not (8,): {names}"


@test_case(points=1, hidden=False)
def test_shapes(MultiHeadAttention, torch):
    m = MultiHeadAttention(8, 2)
    x = torch.randn(3, 5, 8)
    assert tuple(m.split_heads(x).shape) == (3, 2, 5, 4), "split_heads must give (B, h, L, d_head)"
    assert torch.equal(m.merge_heads(m.split_heads(x)), x), "merge_heads must undo split_heads"
    mem = torch.randn(3, 7, 8)
    y = m(x, mem, mem)
    assert tuple(y.shape) == (3, 5, 8), f"output shape {tuple(y.shape)}, expected (3, 5, 8)"
