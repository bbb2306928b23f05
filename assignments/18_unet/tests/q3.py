from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_names(UNet):
    keys = UNet(1, 2, base=4, depth=2).state_dict()
    for k, shape in (("downs.0.conv1.weight", (4, 1, 3, 3)), ("bottleneck.conv1.weight", (16, 8, 3, 3)),
                     ("ups.0.weight", (16, 8, 2, 2)), ("up_convs.1.conv1.weight", (4, 8, 3, 3)),
                     ("head.weight", (2, 4, 1, 1))):
        assert k in keys and tuple(keys[k].shape) == shape, f"{k} missing or not {shape}"


@test_case(points=1, hidden=False)
def test_odd_sizes(UNet, torch):
    net = UNet(1, 2, base=4, depth=2)
    y = net(torch.randn(2, 1, 13, 10))
    assert tuple(y.shape) == (2, 2, 13, 10), f"output shape {tuple(y.shape)}, expected (2, 2, 13, 10)"
