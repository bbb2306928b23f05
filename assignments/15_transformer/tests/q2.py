from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_parameters_and_shape(MultiHeadAttention, torch):
    m = MultiHeadAttention(8, 2)
    names = {n: tuple(p.shape) for n, p in m.named_parameters()}
    for lin in ("w_q", "w_k", "w_v", "w_o"):
        assert names.get(f"{lin}.weight") == (8, 8) and names.get(f"{lin}.bias") == (8,), f"{names}"
    y = m(torch.randn(3, 5, 8), torch.randn(3, 7, 8), torch.randn(3, 7, 8))
    assert tuple(y.shape) == (3, 5, 8), f"output shape {tuple(y.shape)}, expected (3, 5, 8)"


@test_case(points=1, hidden=False)
def test_masks(MultiHeadAttention, torch):
    torch.manual_seed(0)
    m = MultiHeadAttention(8, 2)
    q, kv = torch.randn(1, 2, 8), torch.randn(1, 4, 8)
    pad = torch.tensor([[False, False, True, True]])
    changed = kv.clone()
    changed[:, 2:] += 5.0  # only padded keys change
    a = m(q, kv, kv, key_padding_mask=pad)
    b = m(q, changed, changed, key_padding_mask=pad)
    assert torch.allclose(a, b, atol=1e-6), "True = padding: padded keys must not change the output"
    x = torch.randn(1, 4, 8)
    x2 = x.clone()
    x2[:, -1] += 1.0
    c, d = m(x, x, x, causal=True), m(x2, x2, x2, causal=True)
    assert torch.allclose(c[:, :-1], d[:, :-1], atol=1e-6), "causal: earlier positions must not see the last one"
