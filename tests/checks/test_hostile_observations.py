"""Hostile observations into every verdict of every topic: whatever the submission's side returns
(a string array, a bool, int, complex or unicode array, a wrong shape, a 0-d value for an array,
NaN/Inf, an enormous value, a JSON list/dict/None for an array, a missing or an extra key), the
test it feeds is a student failure with a message (or, for a variant that is still a correct
answer, possibly a pass), never a grader error and never a pass of a wrong answer.

The reference's real observations are made in this process (the probes of ``probes.py`` run
against ``reference.py``; a timed or fed probe makes one call on its own feed, the held-out part
kept as the grader's parent keeps it), then mutated and judged with ``autograder.verdict.judge``
(the grader's own path, where an exception is a grader error). What can arrive from the sandbox
depends on the channel: an untimed probe's arrays are plain numeric ``.npy`` (bool, int, uint,
float, complex) and its scalars any JSON value; a timed probe's outputs are ``.npy`` of any dtype
but object (its reader is ``allow_pickle=False``, so unicode, bytes, structured and datetime arrays
do arrive)."""
from __future__ import annotations

import copy
import dataclasses
import functools
import json
import types

import numpy as np
import pytest

from autograder.probe import Observations, ProbeObs
from autograder.report import _plain, cap_details
from autograder.report.html import _test_view
from autograder.runtime.harness import encode_observations, output_arrays, probe_rng
from autograder.sandbox import RunResult
from autograder.sandbox.driver import TimedPlan, TimedResult, draw_inputs, feed_data, input_stream
from autograder.topics import all_topics
from autograder.verdict import GRADER_ERROR, judge

pytestmark = pytest.mark.slow  # about 50 s of CPU: every topic's reference runs its probes here

SEED = 7
TOPICS = [t.name for t in all_topics()]
EXTRA = "zz_extra_key"
PER_KEY_BUILTIN = 3  # keys mutated one at a time in a test of a built-in kind
PER_KEY_CUSTOM = 8  # ... of a topic's own verdict


def _module(name: str, source: str) -> types.ModuleType:
    mod = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), mod.__dict__)  # noqa: S102 - our own reference
    return mod


def _reference_obs(topic, test, probes, ref) -> ProbeObs:
    """The reference's observations of one test, as the grader holds them."""
    fn = getattr(probes, test.probe)
    timing = test.options.get("timing")
    if not isinstance(timing, dict):
        scalars, arrays = encode_observations(fn(ref, probe_rng(SEED, test.id), **test.args))
        return ProbeObs(id=test.id, status="ok", scalars=scalars, arrays=arrays)
    plan = TimedPlan.from_dict(test.id, timing, test.time_limit)
    call = fn(ref, probe_rng(SEED, test.id), **test.args)
    rng = input_stream(SEED, test.id)
    kept = []
    if plan.feed:
        sent, held = feed_data(rng, plan, topic.source("probes.py"))
        kept.append(held)
    else:
        sent = draw_inputs(rng, plan)
    out = output_arrays(call(**sent))
    timed = TimedResult(meter="test", warmup=0, calls=1, cpu_s=[0.01], wall_s=[0.01],
                        peak_bytes=[0.0], outputs=[out], measure=plan.measure, kept=kept)
    return ProbeObs(id=test.id, status="ok", timed=timed)


@functools.lru_cache(maxsize=None)
def reference_of(name: str):
    """(topic, {test id: ProbeObs}) for the tests a CPU host runs."""
    topic = next(t for t in all_topics() if t.name == name)
    probes = _module("probes", topic.source("probes.py"))
    ref = _module("reference", topic.source("reference.py"))
    tests = [t for t in topic.tests if t.requires != "cuda"]
    obs = {t.id: _reference_obs(topic, t, probes, ref) for t in tests}
    return dataclasses.replace(topic, tests=tuple(tests)), obs


# --- hostile variants: value -> value, or None where the variant does not apply -------------
# Each is (name, mutate, may_pass): may_pass(original, mutated) says whether the mutated value is
# still a correct answer (a pass is then allowed, not required).

def _as_array(v):
    if isinstance(v, np.ndarray):
        return v
    if isinstance(v, (bool, int, float, complex, np.generic)):
        return np.asarray(v)
    return None


def _numeric(v):
    a = _as_array(v)
    return a if a is not None and a.dtype.kind in "biufc" else None


def _same_numbers(orig, new) -> bool:
    a, b = _numeric(orig), _numeric(new)
    if a is None or b is None or a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.array_equal(a.astype(np.complex128), b.astype(np.complex128), equal_nan=True))


def _never(orig, new) -> bool:
    return False


def _always(orig, new) -> bool:
    return True


def _float32(v):
    a = _numeric(v)
    return None if a is None or a.dtype.kind not in "f" else a.astype(np.float32)


def _close32(orig, new) -> bool:
    return True  # float32 of a right answer is a right answer written differently


def _int(v):
    a = _numeric(v)
    if a is None or a.dtype.kind == "c":
        return None
    with np.errstate(all="ignore"):
        return np.nan_to_num(a.astype(np.float64)).round().astype(np.int64)


def _bool(v):
    a = _numeric(v)
    return None if a is None or a.dtype.kind == "c" else a != 0


def _complex(v):
    a = _numeric(v)
    return None if a is None or a.size == 0 else a.astype(np.complex128) + 1j  # a real answer with an imaginary part


def _complex0(v):
    a = _numeric(v)
    return None if a is None or a.dtype.kind == "c" else a.astype(np.complex128)


def _unicode(v):
    a = _numeric(v)
    return None if a is None else a.astype(str)  # numbers as text: "0.5" is not a number


def _bytes(v):
    a = _numeric(v)
    return None if a is None else a.astype(str).astype("S")


def _words(v):
    a = _as_array(v)
    return None if a is None else np.full(a.shape, "abc")


def _structured(v):
    a = _numeric(v)
    if a is None or a.dtype.kind == "c":
        return None
    out = np.zeros(a.shape, dtype=[("x", "f8"), ("y", "i4")])
    out["x"] = a
    return out


def _datetime(v):
    a = _numeric(v)
    return None if a is None else np.zeros(a.shape, dtype="datetime64[s]")


def _nan(v):
    a = _numeric(v)
    if a is None or a.size == 0:
        return None
    out = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64).copy()
    out.flat[0] = np.nan
    return out


def _inf(v):
    a = _numeric(v)
    if a is None or a.size == 0:
        return None
    out = a.astype(np.float64 if a.dtype.kind != "c" else np.complex128).copy()
    out[...] = np.inf
    return out


def _huge(v):
    a = _numeric(v)
    return None if a is None or a.size == 0 else np.full(a.shape, 1e300)


def _huge_int(v):
    a = _numeric(v)
    return None if a is None or a.size == 0 else np.full(a.shape, np.iinfo(np.int64).max, dtype=np.int64)


def _zero_d(v):
    a = _numeric(v)
    return None if a is None or a.ndim == 0 else np.asarray(a.reshape(-1)[0] if a.size else 0.0)


def _same_scalar(orig, new) -> bool:
    a = _numeric(orig)
    return a is not None and a.size == 1 and _same_numbers(a.reshape(()), new)


def _two_d(v):
    a = _numeric(v)
    return None if a is None or a.ndim >= 2 else a.reshape(1, -1)  # same numbers, one more axis


def _shorter(v):
    a = _numeric(v)
    return None if a is None or a.ndim == 0 or a.shape[0] < 2 else a[:-1]


def _longer(v):
    a = _numeric(v)
    if a is None or a.ndim == 0:
        return None
    return np.concatenate([a, np.ones((1,) + a.shape[1:], dtype=a.dtype)], axis=0)


def _empty(v):
    a = _numeric(v)
    return None if a is None or a.size == 0 else np.zeros((0,) * max(a.ndim, 1))


def _transposed(v):
    a = _numeric(v)
    return None if a is None or a.ndim < 2 or a.shape[-1] == a.shape[-2] else np.swapaxes(a, -1, -2)


# JSON values for an untimed probe's scalars channel (any key, whatever the reference holds)
def _json_text(v):
    return "0.5"


def _json_ragged(v):
    return [[1.0], [1.0, 2.0]]


def _json_dict(v):
    return {"a": 1}


def _json_none(v):
    return None if v is not None else 0.0  # (for a reference's None: a number instead)


def _json_list(v):
    a = _numeric(v)
    return None if a is None else a.tolist()  # the same numbers as a JSON list


def _json_big_int(v):
    return 10 ** 40


def _json_nan(v):
    return float("nan")


# (name, mutate, may_pass). Value variants (NaN, a wrong size, ...) must fail when every key
# carries them; a single key may still pass (a diagnostic, or one run of several where the best
# is kept). TYPE variants (not numbers where the reference has numbers) must fail on any key.
NUMERIC = [("float32", _float32, _close32), ("int", _int, _always), ("bool", _bool, _same_numbers),
           ("complex_zero_imag", _complex0, _always),
           ("nan", _nan, _never), ("inf", _inf, _never), ("huge", _huge, _never),
           ("huge_int", _huge_int, _same_numbers), ("0-d", _zero_d, _same_scalar),
           ("2-d", _two_d, _always), ("shorter", _shorter, _never), ("longer", _longer, _never),
           ("empty", _empty, _never), ("transposed", _transposed, _never)]
TYPE_ARRAYS = [("complex", _complex, _never)]
TYPE_TIMED = [("unicode_numbers", _unicode, _never), ("bytes", _bytes, _never),
              ("words", _words, _never), ("structured", _structured, _never),
              ("datetime", _datetime, _never)]
TYPE_JSON = [("json_text", _json_text, _never), ("json_ragged", _json_ragged, _never),
             ("json_dict", _json_dict, _never), ("json_none", _json_none, _never)]
VALUE_JSON = [("json_list", _json_list, _always), ("json_big_int", _json_big_int, _never),
              ("json_nan", _json_nan, _same_numbers)]
# "2-d" and "json_list" keep the numbers: a verdict may read either form (its own reshape).


def _variants(timed: bool):
    """(name, mutate, may_pass, strict): strict variants must fail on any one key."""
    types_ = TYPE_ARRAYS + (TYPE_TIMED if timed else TYPE_JSON)
    values = NUMERIC + ([] if timed else VALUE_JSON)
    return [(*v, False) for v in values] + [(*v, True) for v in types_]


def _values(obs: ProbeObs) -> dict:
    return dict(obs.timed.outputs[0]) if obs.timed is not None else obs.values


def _with_values(obs: ProbeObs, values: dict) -> ProbeObs:
    """A copy of the reference's ProbeObs with the submission's (mutated) values on its channel."""
    new = copy.copy(obs)
    if obs.timed is not None:
        new.timed = dataclasses.replace(obs.timed, outputs=[values], kept=list(obs.timed.kept))
        return new
    new.scalars = {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}
    new.arrays = {k: v for k, v in values.items() if isinstance(v, np.ndarray)}
    return new


def _spread(keys: list, n: int) -> list:
    """At most n of keys, evenly spaced (first and last included)."""
    if len(keys) <= n:
        return keys
    return [keys[round(i * (len(keys) - 1) / (n - 1))] for i in range(n)]


def _judge(topic, test, ref: ProbeObs, sub: ProbeObs):
    run = RunResult(sandbox="test", isolation="none", returncode=0, wall_s=0.0)
    one = dataclasses.replace(topic, tests=(test,))
    [r] = judge(topic=one, ref=Observations(run, [], {test.id: ref}, []),
                sub=Observations(run, [], {test.id: sub}, []), fatal=None, findings=[], seed=SEED)
    return r


def _cases(topic, obs, test):
    """(label, values, may_pass) for every hostile variant of one test's observations."""
    values = _values(obs)
    keys = sorted(k for k in values if not k.startswith("diag."))
    variants = _variants(obs.timed is not None)
    # Every key at once: the decisive ones are certainly hit.
    for name, mutate, may_pass, _ in variants:
        new, ok, hit = dict(values), True, False
        for k in keys:
            m = mutate(values[k])
            if m is not None:
                new[k], hit = m, True
                ok = ok and may_pass(values[k], m)
        if hit:
            yield f"all keys {name}", new, ok
    yield "no keys", {}, False
    yield "extra key", {**values, EXTRA: np.arange(3.0)}, True
    # One key at a time: nothing may crash; a value variant may pass (the key may decide
    # nothing, or be one of several runs of which the best is kept), a type variant may not.
    # A built-in kind treats every key alike: a few keys stand for the rest; a topic's verdict
    # reads its keys by name: more of them (time: its verdict runs a model per case).
    for k in _spread(keys, PER_KEY_CUSTOM if test.check == "custom" else PER_KEY_BUILTIN):
        rest = {j: v for j, v in values.items() if j != k}
        yield f"{k} missing", rest, True
        for name, mutate, may_pass, strict in variants:
            m = mutate(values[k])
            if m is not None:
                yield f"{k} {name}", {**rest, k: m}, may_pass(values[k], m) or not strict


@pytest.mark.parametrize("topic_name", TOPICS)
def test_hostile_observations_fail_without_grader_error(topic_name):
    topic, ref_obs = reference_of(topic_name)
    problems = []
    for test in topic.tests:
        ref = ref_obs[test.id]
        base = _judge(topic, test, ref, _with_values(ref, _values(ref)))
        assert base.status == "passed", f"{test.id}: the reference's own observations: {base.output}"
        for label, values, may_pass in _cases(topic, ref, test):
            r = _judge(topic, test, ref, _with_values(ref, values))
            if r.status == GRADER_ERROR:
                problems.append(f"{test.id} / {label}: grader error: {r.output[:300]}")
            elif r.status == "passed" and not may_pass:
                problems.append(f"{test.id} / {label}: passed")
            elif r.status == "failed" and not r.output.strip():
                problems.append(f"{test.id} / {label}: failed without a message")
            try:  # what the verdict returned must also make a report (results.json, the page)
                r.details = cap_details(r.details)
                json.dumps(_plain(r.details), allow_nan=False)
                _test_view(r)
            except Exception as exc:  # noqa: BLE001 - reported below
                problems.append(f"{test.id} / {label}: its report fails: {type(exc).__name__}: {exc}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:400])
