from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=1, hidden=False)
def test_short_run(train_gan, torch):
    X = torch.randn(256, 1) + 3.0
    G, D, losses = train_gan(X, z_dim=2, hidden=8, n_steps=30, batch_size=32, lr=1e-3, seed=0)
    assert len(losses) == 30 and len(losses[0]) == 2, "losses: one (loss_d, loss_g) pair per step"
    assert tuple(G(torch.randn(5, 2)).shape) == (5, 1)
