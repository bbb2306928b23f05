import numpy as np
import pytest

from autograder.checks.values import compare_arrays, compare_observations


def test_shape_comes_first():
    v = compare_arrays("y", np.zeros((3, 4)), np.zeros((4, 3)), rtol=1e-5, atol=1e-8)
    assert not v.passed and v.message == "y: shape (4, 3), expected (3, 4)"


def test_message_counts_and_locates_the_worst_element():
    exp = np.arange(12.0).reshape(3, 4)
    act = exp.copy()
    act[1, 2] += 0.5
    act[2, 3] += 0.1
    v = compare_arrays("y", exp, act, rtol=1e-5, atol=1e-8)
    assert "2 of 12 elements differ" in v.message
    assert "largest absolute difference 0.5" in v.message
    assert "worst at index (1, 2): got 6.5, expected 6" in v.message


def test_correct_float32_passes_at_stated_tolerance():
    rng = np.random.default_rng(0)
    exp = rng.standard_normal((50, 50))
    assert compare_arrays("y", exp, exp.astype(np.float32), rtol=1e-5, atol=1e-7).passed


def test_nan_is_named_as_nan():
    exp = np.ones(5)
    act = exp.copy()
    act[3] = np.nan
    v = compare_arrays("p", exp, act, rtol=1e-5, atol=1e-8)
    assert not v.passed and "NaN or Inf" in v.message and "[3]" in v.message


def test_matching_infinities_are_equal_and_missing_ones_are_not():
    exp = np.array([np.inf, 1.0])
    assert compare_arrays("x", exp, exp.copy(), rtol=1e-5, atol=0).passed
    assert not compare_arrays("x", exp, np.array([1e308, 1.0]), rtol=1e-5, atol=0).passed


def test_integer_expectations_reject_fractions():
    v = compare_arrays("labels", np.array([0, 1, 2]), np.array([0.0, 1.5, 2.0]), rtol=0, atol=0)
    assert not v.passed and "integer" in v.message
    assert compare_arrays("labels", np.array([0, 1, 2]), np.array([0.0, 1.0, 2.0]), rtol=0, atol=0).passed


def test_observations_skip_diagnostics_and_report_missing_keys():
    exp = {"a": np.ones(2), "diag.fd.a": np.zeros(2), "b": 1.0}
    v = compare_observations(exp, {"a": np.ones(2)}, rtol=1e-6, atol=0)
    assert not v.passed and "b: no value was returned" in v.message
    assert compare_observations(exp, {"a": np.ones(2), "b": 1.0 + 1e-9}, rtol=1e-6, atol=0).passed


def test_strings_and_booleans_compare_exactly():
    assert not compare_observations({"ok": True}, {"ok": 1}, rtol=0, atol=0).passed
    assert compare_observations({"s": "x"}, {"s": "x"}, rtol=0, atol=0).passed


def test_every_check_kind_is_registered_with_typed_options():
    from dataclasses import is_dataclass

    from autograder.checks.registry import REGISTRY, options_for
    from autograder.topics import TestSpec

    assert {"allclose", "gradient", "speed", "memory", "custom"} <= set(REGISTRY)
    for kind in REGISTRY.values():
        assert is_dataclass(kind.options) and kind.explain
    opts = options_for(TestSpec(id="t", name="t", probe="t", points=1, kind="P", check="speed",
                                rtol=1e-3, options={"factor": 4}))
    assert (opts.factor, opts.rtol) == (4, 1e-3)


def test_partial_credit_when_the_manifest_asks_for_it():
    from autograder.checks.gradients import gradient_verdict
    from autograder.checks.values import compare_observations

    ref = {"dx": np.ones(3), "dW": np.ones((2, 2)), "db": np.ones(2), "diag.fd.dx": np.ones(3)}
    sub = {"dx": np.ones(3), "dW": np.ones((2, 2)) * 2, "db": np.ones(2)}
    assert gradient_verdict(ref, sub, rtol=1e-6, atol=0.0).fraction == 0.0
    assert gradient_verdict(ref, sub, rtol=1e-6, atol=0.0, partial=True).fraction == pytest.approx(2 / 3)
    assert compare_observations(ref, sub, rtol=1e-6, atol=0.0, partial=True).fraction == pytest.approx(2 / 3)
    assert compare_observations(ref, sub, rtol=1e-6, atol=0.0).fraction == 0.0
