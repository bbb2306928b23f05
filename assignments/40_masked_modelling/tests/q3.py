from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(mae_unshuffle, torch):
    kept = torch.tensor([[[1.0], [3.0]]])
    full = mae_unshuffle(kept, torch.tensor([-1.0]), torch.tensor([[4, 0, 2, 1, 3]]))
    assert full.flatten().tolist() == [-1.0, 1.0, -1.0, 3.0, -1.0], f"got {full.flatten().tolist()}"
