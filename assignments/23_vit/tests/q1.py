from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_patch_order(patchify, torch):
    x = torch.arange(1.0, 9.0).reshape(1, 1, 2, 4)
    y = patchify(x, 2)
    expected = torch.tensor([[[1.0, 2, 5, 6], [3, 4, 7, 8]]])
    assert tuple(y.shape) == (1, 2, 4), f"shape {tuple(y.shape)}, expected (1, 2, 4)"
    assert torch.equal(y, expected), f"got {y}, expected {expected}"


@test_case(points=1, hidden=False)
def test_conv_equals_linear(PatchEmbed, patch_embed_linear, torch):
    m = PatchEmbed(3, 4, 10)
    x = torch.randn(2, 3, 8, 12)
    a = m(x)
    b = patch_embed_linear(x, m.proj.weight, m.proj.bias, 4)
    assert tuple(a.shape) == (2, 6, 10), f"PatchEmbed shape {tuple(a.shape)}, expected (2, 6, 10)"
    assert torch.allclose(a, b, atol=1e-5), "the conv and the patchify + matmul embeddings differ"
