from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 1


@test_case(points=1, hidden=False)
def test_short_run(train_vae, torch):
    X = (torch.rand(200, 16) > 0.5).float()
    model, losses = train_vae(X, hidden=16, latent=2, n_steps=60, batch_size=32, lr=1e-2, seed=0)
    assert len(losses) == 60, f"{len(losses)} losses for 60 steps"
    assert sum(losses[-10:]) < sum(losses[:10]), "the loss should go down"
