from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_pad_worked_example(pad_to_match, torch):
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    y = pad_to_match(x, (3, 4))
    expected = torch.tensor([[[[0.0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]]])
    assert tuple(y.shape) == (1, 1, 3, 4), f"shape {tuple(y.shape)}, expected (1, 1, 3, 4)"
    assert torch.equal(y, expected), f"got {y}, expected {expected} (extra row at the bottom)"


@test_case(points=1, hidden=False)
def test_crop_worked_example(center_crop, torch):
    x = torch.arange(12.0).reshape(1, 1, 3, 4)
    y = center_crop(x, (2, 2))
    assert torch.equal(y, x[..., 0:2, 1:3]), f"got {y}, expected rows 0-1 and columns 1-2"
