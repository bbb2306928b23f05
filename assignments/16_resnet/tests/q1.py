from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_names_and_shapes(BasicBlock, torch):
    plain = {k: tuple(v.shape) for k, v in BasicBlock(4, 4).state_dict().items()}
    assert "conv1.weight" in plain and plain["conv1.weight"] == (4, 4, 3, 3), plain
    assert not any(k.startswith("shortcut") for k in plain), "stride 1, same width: no projection"
    proj = {k: tuple(v.shape) for k, v in BasicBlock(4, 6, stride=2).state_dict().items()}
    assert proj.get("shortcut.0.weight") == (6, 4, 1, 1), f"projection missing or wrong: {proj}"
    assert "shortcut.1.running_mean" in proj, "the projection needs its BatchNorm (shortcut.1)"
    y = BasicBlock(4, 6, stride=2)(torch.randn(2, 4, 9, 7))
    assert tuple(y.shape) == (2, 6, 5, 4), f"output shape {tuple(y.shape)}, expected (2, 6, 5, 4)"


@test_case(points=1, hidden=False)
def test_zero_gamma_is_identity(BasicBlock, torch):
    b = BasicBlock(3, 3).eval()
    with torch.no_grad():
        b.bn2.weight.zero_()
        b.bn2.bias.zero_()
    x = torch.randn(2, 3, 5, 6)
    assert torch.allclose(b(x), torch.relu(x)), "with gamma2 = beta2 = 0 the block is relu(x)"
