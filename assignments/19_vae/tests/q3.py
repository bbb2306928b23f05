from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_nll(bernoulli_nll, torch):
    nll = bernoulli_nll(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 0.0]]))
    assert tuple(nll.shape) == (1,) and abs(float(nll[0]) - 2.8201) < 1e-4, f"nll {nll}"
    big = bernoulli_nll(torch.tensor([[-200.0, 300.0]]), torch.tensor([[1.0, 1.0]]))
    assert torch.isfinite(big).all() and abs(float(big[0]) - 200.0) < 1e-3, f"|logit| = 200: {big}"


@test_case(points=1, hidden=False)
def test_negative_elbo(negative_elbo, torch, math):
    loss = negative_elbo(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 2.0]]),
                         torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, math.log(4.0)]]), beta=0.5)
    assert loss.dim() == 0 and abs(float(loss) - 3.4735) < 1e-4, f"loss {loss}, expected 3.4735"
