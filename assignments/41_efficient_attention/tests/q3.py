from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(flash_attention, torch):
    # One query whose scores against the four keys are [2, 0, 1, 3] (d = 1, so no scaling).
    q = torch.tensor([[1.0]])
    k = torch.tensor([[2.0], [0.0], [1.0], [3.0]])
    v = torch.tensor([[30.0], [40.0], [10.0], [20.0]])
    out = flash_attention(q, k, v, block_size=2)
    assert tuple(out.shape) == (1, 1), f"output shape {tuple(out.shape)}, expected (1, 1)"
    assert abs(out.item() - 22.1386) < 1e-3, f"output {out.item()}, expected 22.1386"


@test_case(points=1, hidden=False)
def test_shapes_and_causal(flash_attention, torch):
    q, k, v = torch.randn(2, 10, 4), torch.randn(2, 10, 4), torch.randn(2, 10, 3)
    out = flash_attention(q, k, v, block_size=3, causal=True)
    assert tuple(out.shape) == (2, 10, 3), f"output shape {tuple(out.shape)}, expected (2, 10, 3)"
    assert torch.allclose(out[:, 0], v[:, 0], atol=1e-5), "causal: row 0 attends only to key 0"
