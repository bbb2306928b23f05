from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(d_loss, g_loss, g_loss_saturating, torch):
    loss = d_loss(torch.tensor([2.0]), torch.tensor([-1.0]))
    assert loss.dim() == 0 and abs(float(loss) - 0.4402) < 1e-4, f"d_loss {loss}, expected 0.4402"
    assert abs(float(g_loss(torch.tensor([-1.0]))) - 1.3133) < 1e-4, "g_loss([-1]) should be 1.3133"
    assert abs(float(g_loss_saturating(torch.tensor([-1.0]))) + 0.3133) < 1e-4, "g_loss_saturating([-1]) should be -0.3133"


@test_case(points=1, hidden=False)
def test_confident_logits(d_loss, g_loss, torch):
    loss = d_loss(torch.tensor([-200.0, 300.0]), torch.tensor([250.0]))
    assert torch.isfinite(loss) and abs(float(loss) - 350.0) < 1e-3, f"d_loss with |logit| ~ 200: {loss}"
    assert abs(float(g_loss(torch.tensor([-200.0]))) - 200.0) < 1e-3, "g_loss([-200]) should be 200"
