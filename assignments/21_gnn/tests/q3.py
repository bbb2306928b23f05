from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(aggregate, torch):
    ei = torch.tensor([[0, 1, 2], [1, 2, 1]])
    x = torch.tensor([[1.0], [2.0], [-3.0]])
    for reduce, expected in [("sum", [0.0, -2.0, 2.0]), ("mean", [0.0, -1.0, 2.0]), ("max", [0.0, 1.0, 2.0])]:
        y = aggregate(x, ei, reduce=reduce)
        assert tuple(y.shape) == (3, 1), f"{reduce}: shape {tuple(y.shape)}, expected (3, 1)"
        assert torch.allclose(y.flatten(), torch.tensor(expected)), f"{reduce}: {y.flatten()}, expected {expected}"


@test_case(points=1, hidden=False)
def test_multi_edge_and_negative_max(aggregate, torch):
    ei = torch.tensor([[0, 0, 1], [2, 2, 2]])  # 0 -> 2 twice
    x = torch.tensor([[-1.0, 4.0], [-5.0, 1.0], [0.0, 0.0]])
    assert torch.allclose(aggregate(x, ei, reduce="sum")[2], torch.tensor([-7.0, 9.0])), "sum: every copy counts"
    assert torch.allclose(aggregate(x, ei, reduce="mean")[2], torch.tensor([-7.0, 9.0]) / 3), "mean over 3 messages"
    assert torch.allclose(aggregate(x, ei, reduce="max")[2], torch.tensor([-1.0, 4.0])), "max of negative messages"
