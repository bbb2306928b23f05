from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=1, hidden=False)
def test_names_and_shapes(VAE, torch):
    m = VAE(64, 128, 8)
    shapes = {k: tuple(p.shape) for k, p in m.named_parameters()}
    want = {"enc.weight": (128, 64), "enc.bias": (128,), "enc_mu.weight": (8, 128), "enc_mu.bias": (8,),
            "enc_logvar.weight": (8, 128), "enc_logvar.bias": (8,), "dec.weight": (128, 8),
            "dec.bias": (128,), "dec_out.weight": (64, 128), "dec_out.bias": (64,)}
    assert shapes == want, f"parameters {shapes}"
    logits, mu, logvar = m(torch.rand(32, 64), torch.randn(32, 8))
    assert tuple(logits.shape) == (32, 64) and tuple(mu.shape) == (32, 8) and tuple(logvar.shape) == (32, 8)
