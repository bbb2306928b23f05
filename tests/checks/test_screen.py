"""The screen every check kind's observations pass (autograder/checks/screen.py) and whose fault a
verdict's exception is (registry.decide): fast cases; every topic's verdicts are fed hostile
variants of their reference's observations in test_hostile_observations.py."""
from __future__ import annotations

import types

import numpy as np
import pytest

from autograder.checks import Verdict
from autograder.checks.registry import decide
from autograder.checks.screen import screen
from autograder.probe import ProbeObs
from autograder.topics import TestSpec as Spec


def _obs(**values) -> ProbeObs:
    return ProbeObs(id="t", status="ok", scalars={k: v for k, v in values.items() if not isinstance(v, np.ndarray)},
                    arrays={k: v for k, v in values.items() if isinstance(v, np.ndarray)})


def _test(verdict="v") -> Spec:
    return Spec(id="t", name="t", points=1, kind="C", probe="t", check="custom", verdict=verdict)


def _verdicts(fn):
    return types.SimpleNamespace(v=fn)


def test_screen_drops_foreign_keys_and_makes_lists_and_zero_imaginary_parts_real():
    ref = {"w": np.zeros(3), "n": 2, "ok": True}
    clean, why = screen(ref, {"w": [1, 2, 3], "n": np.complex128(4), "ok": np.bool_(False), "x": "y"})
    assert why is None and set(clean) == {"w", "n", "ok"}
    assert clean["w"].dtype.kind == "i" and clean["ok"] is False and np.isrealobj(clean["n"])
    clean, why = screen(ref, {"w": np.array([1, 2, 3], dtype=complex)})
    assert why is None and clean["w"].dtype == np.float64


@pytest.mark.parametrize("value, words", [
    (np.array(["1.5", "2", "3"]), "shape (3,), dtype <U3 (text); expected numbers"),
    (np.array([1, 2, 3]) + 1j, "non-zero imaginary parts"),
    (np.zeros(3, dtype=[("a", "f8")]), "(records); expected numbers"),
    ([[1.0], [1.0, 2.0]], "rows of different lengths"),
    ({"a": 1}, "got a mapping of 1 key(s); expected numbers, shape (3,)"),
    (None, "got nothing (None); expected numbers"),
    ("0.5", "got the text '0.5'"),
])
def test_screen_rejects_what_is_not_numbers_where_the_reference_has_numbers(value, words):
    _, why = screen({"w": np.zeros(3)}, {"w": value})
    assert why is not None and why.startswith("w: ") and words in why


def test_a_text_array_never_reaches_a_custom_verdict_that_would_cast_it():
    seen = []

    def v(*, ref, sub, test, seed):
        seen.append(sub)
        w = np.asarray(sub["w"], dtype=float)  # "1.5" would become 1.5 here
        return Verdict(float(np.allclose(w, ref["w"])))

    ref = _obs(w=np.array([1.5, 2.0]))
    got = decide(_test(), ref, ProbeObs(id="t", status="ok", scalars={"w": ["1.5", "2.0"]}),
                 verdicts=_verdicts(v), seed=0)
    assert got.fraction == 0.0 and "w: got a list of 2 item(s)" in got.message and not seen


def test_a_verdict_that_raises_on_the_students_data_only_fails_the_student():
    def v(*, ref, sub, test, seed):
        return Verdict(float(sub["w"].reshape(2, 2)[0, 0] == ref["w"][0]))  # trusts the shape

    ref = _obs(w=np.arange(4.0))
    assert decide(_test(), ref, ref, verdicts=_verdicts(v), seed=0).passed
    got = decide(_test(), ref, _obs(w=np.arange(3.0)), verdicts=_verdicts(v), seed=0)
    assert got.fraction == 0.0
    assert got.message.startswith("w: shape (3,), expected (4,); your outputs could not be checked (ValueError")
    assert "Traceback" in got.details["verdict_error"]


def test_a_verdict_that_raises_on_the_references_own_data_is_a_grader_error():
    def v(*, ref, sub, test, seed):
        raise KeyError("held_out")

    ref = _obs(w=np.arange(4.0))
    with pytest.raises(KeyError):
        decide(_test(), ref, _obs(w=np.arange(3.0)), verdicts=_verdicts(v), seed=0)


def test_a_fraction_that_is_not_a_number_is_the_students_failure_when_its_data_caused_it():
    def v(*, ref, sub, test, seed):
        return Verdict(sub["w"].sum() * 1j if sub["w"].size != 4 else 1.0)

    ref = _obs(w=np.arange(4.0))
    got = decide(_test(), ref, _obs(w=np.arange(3.0)), verdicts=_verdicts(v), seed=0)
    assert got.fraction == 0.0 and "could not be checked (TypeError" in got.message


def test_an_unreadable_diagnostic_is_left_out_not_failed():
    import numpy as np

    from autograder.checks.screen import screen

    ref = {"dx": np.ones((4, 5)), "diag.fd.relu": np.ones((4, 5))}
    out, why = screen(ref, {"dx": np.ones((4, 5)), "diag.fd.relu": None})  # the forward raised
    assert why is None and set(out) == {"dx"}
    out, why = screen(ref, {"dx": None, "diag.fd.relu": np.ones((4, 5))})
    assert why is not None and why.startswith("dx")
