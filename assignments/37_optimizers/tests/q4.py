from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_adam_worked_example(Adam, np):
    p = np.array([1.0, -1.0])
    Adam([p], lr=0.1).step([np.array([2.0, -0.5])])
    assert np.allclose(p, [0.9, -0.9], atol=1e-6), f"p is {p} after one step, expected [0.9, -0.9]"


@test_case(points=None, hidden=False)
def test_adamw_zero_gradient_only_decays(AdamW, np):
    p = np.array([2.0, -4.0])
    AdamW([p], lr=0.1, weight_decay=0.5).step([np.zeros(2)])
    # A zero gradient gives a zero Adam step, so only the decoupled decay acts: p * (1 - 0.1 * 0.5).
    assert np.allclose(p, [1.9, -3.8]), f"p is {p}, expected [1.9, -3.8]"
