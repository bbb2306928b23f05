from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 1


@test_case(points=1, hidden=False)
def test_shapes(Bottleneck, torch):
    assert Bottleneck.expansion == 4
    sd = {k: tuple(v.shape) for k, v in Bottleneck(8, 4, stride=2).state_dict().items()}
    assert sd.get("conv1.weight") == (4, 8, 1, 1), sd
    assert sd.get("conv2.weight") == (4, 4, 3, 3), sd
    assert sd.get("conv3.weight") == (16, 4, 1, 1), sd
    assert sd.get("shortcut.0.weight") == (16, 8, 1, 1), sd
    y = Bottleneck(8, 4, stride=2)(torch.randn(2, 8, 9, 11))
    assert tuple(y.shape) == (2, 16, 5, 6), f"output shape {tuple(y.shape)}, expected (2, 16, 5, 6)"
