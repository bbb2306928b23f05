from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(load_balancing_loss, torch):
    loss = load_balancing_loss(torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[0], [0]]), 2)
    assert tuple(loss.shape) == (), f"shape {tuple(loss.shape)}, expected () (a 0-dim tensor)"
    assert abs(float(loss) - 1.4621) < 1e-4, f"loss {float(loss)}, expected 1.4621"


@test_case(points=1, hidden=False)
def test_balanced_is_one(load_balancing_loss, torch):
    loss = load_balancing_loss(torch.zeros(4, 4), torch.tensor([[0, 1], [2, 3], [1, 0], [3, 2]]), 4)
    assert abs(float(loss) - 1.0) < 1e-6, f"uniform router, balanced assignments: loss {float(loss)}, expected 1"
