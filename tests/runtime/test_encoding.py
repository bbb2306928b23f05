"""Observation encoding (harness side) and warning capture: a NumPy scalar encodes like the Python
number it stands for, and floating-point warnings raised by notebook cells are recorded."""
import numpy as np

from autograder.checks import Verdict
from autograder.probe import ProbeObs
from autograder.runtime.harness import encode_observations, run_probe_recording_warnings
from autograder.verdict import _no_warnings


def test_numpy_scalars_encode_like_python_numbers():
    scalars, arrays = encode_observations({"a": np.float64(1.5), "b": np.float32(2.0),
                                           "c": np.array(3.0), "d": np.int64(4), "e": np.bool_(True),
                                           "f": 1.5, "g": np.array([1.0, 2.0])})
    assert scalars == {"a": 1.5, "b": 2.0, "c": 3.0, "d": 4, "e": True, "f": 1.5}
    assert type(scalars["e"]) is bool and type(scalars["d"]) is int
    assert arrays["g"].shape == (2,)


def test_one_element_arrays_keep_their_shape():
    _, arrays = encode_observations({"x": np.array([1.0]), "y": np.ones((1, 1), np.float32)})
    assert arrays["x"].shape == (1,) and arrays["y"].shape == (1, 1)


def test_warnings_from_cells_are_recorded_and_fail_a_no_warnings_test():
    ns = {"np": np}
    exec(compile("def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n", "<cell 3>", "exec"), ns)
    mod = type("M", (), ns)

    def probe(sub, rng):
        return {"s": sub.sigmoid(np.array([-1000.0, 0.0]))}

    sink = []
    obs = run_probe_recording_warnings(probe, mod, None, {}, 5, sink)
    assert obs["s"][0] == 0.0
    assert sink and sink[0]["where"] == "cell 3" and sink[0]["category"] == "RuntimeWarning"
    v = _no_warnings(Verdict(1.0), ProbeObs(id="t", status="ok", warnings=sink))
    assert v.fraction == 0.0 and "overflow" in v.message


def test_warnings_outside_cells_do_not_count():
    def probe(sub, rng):
        with np.errstate(over="warn"):
            return {"x": np.exp(np.array([1000.0]))}

    sink = []
    run_probe_recording_warnings(probe, None, None, {}, 5, sink)
    assert sink and sink[0]["where"] is None
    assert _no_warnings(Verdict(1.0), ProbeObs(id="t", status="ok", warnings=sink)).fraction == 1.0


def test_warning_records_are_bounded():
    ns = {"np": np, "warnings": __import__("warnings")}
    exec(compile("def f():\n    for _ in range(10000):\n        warnings.warn('x', RuntimeWarning)\n",
                 "<cell 1>", "exec"), ns)
    sink = []
    run_probe_recording_warnings(lambda sub, rng: {"v": ns["f"]()}, None, None, {}, 5, sink)
    assert len(sink) == 20
