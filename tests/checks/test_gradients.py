import numpy as np

from autograder.checks.gradients import (compare_gradients, fd_diagnostic, numerical_gradient,
                                         relative_error)


def test_central_differences_restore_the_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert np.array_equal(x, before)
    assert np.allclose(g, 3 * before ** 2, rtol=1e-6)


def test_float32_input_is_refused():
    x = np.ones(3, dtype=np.float32)
    try:
        numerical_gradient(lambda: float(x.sum()), x)
    except TypeError as exc:
        assert "float64" in str(exc)
    else:
        raise AssertionError("float32 finite differences must be refused")


def test_relative_error_is_scale_free_and_zero_for_zeros():
    assert relative_error(0.0, 0.0) == 0
    assert np.isclose(relative_error(1.0, 1.1), relative_error(1e6, 1.1e6))


def test_transposed_gradient_fails_with_location():
    rng = np.random.default_rng(1)
    g = rng.standard_normal((3, 3))
    v = compare_gradients("dW", g, g.T, tol=1e-5)
    assert not v.passed and "largest relative error" in v.message and "index" in v.message
    assert compare_gradients("dW", g, g.astype(np.float32), tol=1e-5).passed


def test_gradient_shape_message():
    v = compare_gradients("dW", np.zeros((2, 3)), np.zeros(6), tol=1e-5)
    assert "gradient shape (6,), expected (2, 3)" in v.message


def test_diagnostic_never_raises():
    assert fd_diagnostic(lambda: 1 / 0, np.ones(2)) is None
    assert fd_diagnostic(lambda: 1.0, np.ones(2, dtype=np.float32)) is None
