from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_step_updates_both(train_step, Generator, Discriminator, torch):
    torch.manual_seed(0)
    G, D = Generator(2, 8, 1), Discriminator(1, 8)
    opt_g = torch.optim.SGD(G.parameters(), lr=0.1)
    opt_d = torch.optim.SGD(D.parameters(), lr=0.1)
    g0 = [p.detach().clone() for p in G.parameters()]
    d0 = [p.detach().clone() for p in D.parameters()]
    out = train_step(G, D, opt_g, opt_d, torch.randn(16, 1), torch.randn(16, 2))
    assert len(out) == 2 and all(isinstance(v, float) for v in out), f"return (loss_d, loss_g) floats, got {out}"
    assert any(not torch.equal(a, b) for a, b in zip(g0, G.parameters())), "G was not updated"
    assert any(not torch.equal(a, b) for a, b in zip(d0, D.parameters())), "D was not updated"
