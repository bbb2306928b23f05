from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(mae_random_masking, torch):
    x = torch.arange(5.0).reshape(1, 5, 1)
    kept, mask, restore = mae_random_masking(x, 0.6, torch.tensor([[0.9, 0.1, 0.5, 0.3, 0.7]]))
    assert kept.flatten().tolist() == [1.0, 3.0], f"kept patches {kept.flatten().tolist()}, expected [1, 3]"
    assert mask.tolist() == [[1.0, 0.0, 1.0, 0.0, 1.0]], f"mask {mask.tolist()}, expected [[1, 0, 1, 0, 1]]"
    assert restore.tolist() == [[4, 0, 2, 1, 3]], f"ids_restore {restore.tolist()}, expected [[4, 0, 2, 1, 3]]"
