from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_stage(make_stage, BasicBlock, torch):
    stage = make_stage(BasicBlock, 6, 8, 3, 2)
    assert len(stage) == 3, f"{len(stage)} blocks, expected 3"
    keys = stage.state_dict().keys()
    assert "0.shortcut.0.weight" in keys and "1.shortcut.0.weight" not in keys, sorted(keys)
    y = stage(torch.randn(2, 6, 11, 7))
    assert tuple(y.shape) == (2, 8, 6, 4), f"output shape {tuple(y.shape)}, expected (2, 8, 6, 4)"
