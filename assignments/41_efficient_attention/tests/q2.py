from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(linear_attention, torch):
    q = torch.tensor([[1.0, -1.0]])
    k = torch.tensor([[0.0, 1.0], [2.0, -1.0]])
    v = torch.tensor([[1.0], [3.0]])
    out = linear_attention(q, k, v)
    assert tuple(out.shape) == (1, 1), f"output shape {tuple(out.shape)}, expected (1, 1)"
    assert abs(out.item() - 2.3832) < 1e-3, f"output {out.item()}, expected 2.3832"


@test_case(points=1, hidden=False)
def test_shapes_and_causal_first_row(linear_attention, torch):
    q, k, v = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 5, 4), torch.randn(2, 3, 5, 6)
    out = linear_attention(q, k, v, causal=True)
    assert tuple(out.shape) == (2, 3, 5, 6), f"output shape {tuple(out.shape)}, expected (2, 3, 5, 6)"
    # The first position may only use itself, so its output is (almost exactly) its own value.
    assert torch.allclose(out[..., 0, :], v[..., 0, :], atol=1e-4), "causal: row 0 must equal v[0]"
