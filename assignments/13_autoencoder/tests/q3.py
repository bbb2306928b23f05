from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 1


@test_case(points=1, hidden=False)
def test_training_runs(train_autoencoder, torch):
    X = torch.rand(50, 6)
    X_before = X.clone()
    model, losses = train_autoencoder(X, n_hidden=5, n_latent=2, epochs=2, batch_size=16, seed=3)
    assert torch.equal(X, X_before), "train_autoencoder must not modify X"
    assert len(losses) == 2, f"{len(losses)} losses for 2 epochs"
    assert tuple(model.enc2.weight.shape) == (2, 5), "the model must use n_hidden and n_latent"
    assert tuple(model(X[:3]).shape) == (3, 6)
