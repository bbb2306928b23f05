from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(scaled_dot_product_attention, torch):
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    out, w = scaled_dot_product_attention(q, k, v)
    assert tuple(out.shape) == (1, 2) and tuple(w.shape) == (1, 2), f"shapes {tuple(out.shape)}, {tuple(w.shape)}"
    assert torch.allclose(w, torch.tensor([[0.6698, 0.3302]]), atol=1e-4), f"weights {w}"
    assert torch.allclose(out, torch.tensor([[1.6605, 2.6605]]), atol=1e-4), f"output {out}"
    out, _ = scaled_dot_product_attention(q, k, v, mask=torch.tensor([[0.0, float("-inf")]]))
    assert torch.allclose(out, torch.tensor([[1.0, 2.0]])), f"additive mask: output {out}"
    out, _ = scaled_dot_product_attention(q, k, v, mask=torch.tensor([[False, True]]))
    assert torch.allclose(out, torch.tensor([[3.0, 4.0]])), f"boolean mask: output {out}"


@test_case(points=1, hidden=False)
def test_batched_shapes_and_causal(scaled_dot_product_attention, torch):
    q, k, v = torch.randn(2, 3, 4, 5), torch.randn(2, 3, 6, 5), torch.randn(2, 3, 6, 7)
    out, w = scaled_dot_product_attention(q, k, v)
    assert tuple(out.shape) == (2, 3, 4, 7), f"output shape {tuple(out.shape)}, expected (2, 3, 4, 7)"
    assert tuple(w.shape) == (2, 3, 4, 6), f"weights shape {tuple(w.shape)}, expected (2, 3, 4, 6)"
    assert torch.allclose(w.sum(-1), torch.ones(2, 3, 4)), "each row of weights must sum to 1"
    x = torch.randn(3, 3)
    _, w = scaled_dot_product_attention(x, x, x, causal=True)
    assert torch.all(w.triu(1) == 0), "causal: weights above the diagonal must be 0"
