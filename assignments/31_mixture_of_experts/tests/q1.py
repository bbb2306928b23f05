from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(top_k_routing, torch):
    gates, idx = top_k_routing(torch.tensor([[2.0, 1.0, 0.0, -1.0]]), 2)
    assert tuple(gates.shape) == (1, 2) and tuple(idx.shape) == (1, 2), f"shapes {tuple(gates.shape)}, {tuple(idx.shape)}"
    assert idx.tolist() == [[0, 1]], f"indices {idx.tolist()}, expected [[0, 1]] (best first)"
    assert torch.allclose(gates, torch.tensor([[0.7311, 0.2689]]), atol=1e-4), f"gates {gates}: softmax over the selected logits"


@test_case(points=1, hidden=False)
def test_gates_sum_to_one(top_k_routing, torch):
    logits = torch.randn(5, 6)
    for k in (1, 3):
        gates, idx = top_k_routing(logits, k)
        assert idx.dtype == torch.int64, f"indices dtype {idx.dtype}, expected torch.int64"
        assert torch.allclose(gates.sum(-1), torch.ones(5)), f"k={k}: each token's gates sum to 1"
