from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_names(ViT):
    sd = {k: tuple(v.shape) for k, v in ViT((8, 12), 4, 3, 5, 16, 2, 4, 32).state_dict().items()}
    for k, shape in (("cls_token", (1, 1, 16)), ("pos_embed", (1, 7, 16)),
                     ("patch_embed.proj.weight", (16, 3, 4, 4)), ("blocks.1.attn.qkv.weight", (48, 16)),
                     ("blocks.0.fc1.weight", (32, 16)), ("head.weight", (5, 16))):
        assert sd.get(k) == shape, f"{k}: {sd.get(k)}, expected {shape}"


@test_case(points=1, hidden=False)
def test_shapes(ViT, torch):
    m = ViT((8, 12), 4, 3, 5, 16, 2, 4, 32)
    x = torch.randn(2, 3, 8, 12)
    assert tuple(m.features(x).shape) == (2, 7, 16), "features must be (B, N + 1, D)"
    assert tuple(m(x).shape) == (2, 5), "logits must be (B, num_classes)"
