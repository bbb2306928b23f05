from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_only_removed_patches_count(masked_reconstruction_loss, torch):
    pred = torch.zeros(1, 2, 2)
    target = torch.tensor([[[1.0, 1.0], [3.0, 3.0]]])
    loss = masked_reconstruction_loss(pred, target, torch.tensor([[0.0, 1.0]]))
    assert abs(float(loss) - 9.0) < 1e-6, f"loss {float(loss)}, expected 9 (patch 1 only)"


@test_case(points=1, hidden=False)
def test_norm_pix(masked_reconstruction_loss, torch):
    target = torch.tensor([[[1.0, 3.0]]])  # mean 2, biased variance 1: normalised [-1, 1]
    loss = masked_reconstruction_loss(torch.tensor([[[-1.0, 1.0]]]), target, torch.tensor([[1.0]]), norm_pix=True)
    assert float(loss) < 1e-5, f"loss {float(loss)}: the normalised target is [-1, 1]"
