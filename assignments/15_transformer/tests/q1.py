from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case(points=1, hidden=False)
def test_worked_example(sinusoidal_positional_encoding, torch):
    pe = sinusoidal_positional_encoding(3, 4)
    expected = torch.tensor([[0.0, 1.0, 0.0, 1.0], [0.8415, 0.5403, 0.0100, 0.9999],
                             [0.9093, -0.4161, 0.0200, 0.9998]])
    assert tuple(pe.shape) == (3, 4), f"shape {tuple(pe.shape)}, expected (3, 4)"
    assert pe.dtype == torch.float32, f"dtype {pe.dtype}, expected torch.float32 by default"
    assert torch.allclose(pe, expected, atol=1e-4), f"PE =\n{pe}\nexpected\n{expected}"
    pe64 = sinusoidal_positional_encoding(2, 2, base=100.0, dtype=torch.float64)
    assert pe64.dtype == torch.float64, f"dtype {pe64.dtype}, expected torch.float64"
