from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=1, hidden=False)
def test_double_conv(DoubleConv, torch):
    m = DoubleConv(3, 5)
    names = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    assert names == {"conv1.weight": (5, 3, 3, 3), "conv1.bias": (5,), "conv2.weight": (5, 5, 3, 3),
                     "conv2.bias": (5,)}, names
    y = m(torch.randn(2, 3, 7, 9))
    assert tuple(y.shape) == (2, 5, 7, 9), f"output shape {tuple(y.shape)}, expected (2, 5, 7, 9)"
    assert (y >= 0).all(), "the block ends with a ReLU"
