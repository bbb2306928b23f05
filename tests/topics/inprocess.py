"""Many seeds, fast: run a topic's value, shape and gradient probes on fixture notebooks in this
process (no sandbox, no torch import per run) and judge them with the real verdicts. For our own
fixtures only: the sandboxed grading of each fixture, once, is in the topic's test file.

Speed and GPU tests are skipped here (timings in a shared pytest process mean nothing)."""
from __future__ import annotations

import types
from pathlib import Path

from autograder.notebook import load_submission
from autograder.probe import ProbeObs
from autograder.runtime.harness import encode_observations, probe_rng
from autograder.topics import get_topic
from autograder.verdict import check, load_verdicts


def _module(name: str, sources) -> types.ModuleType:
    mod = types.ModuleType(name)
    for index, source in sources:
        try:
            exec(compile(source, f"<cell {index}>", "exec"), mod.__dict__)
        except Exception:  # noqa: BLE001 - a failing cell (the stub's "Try it") leaves the rest
            pass
    return mod


def _observe(probes, mod, seed: int, test) -> ProbeObs:
    try:
        obs = getattr(probes, test.probe)(mod, probe_rng(seed, test.id), **test.args)
        scalars, arrays = encode_observations(obs)
    except Exception as exc:  # noqa: BLE001 - an error in the code under test fails the test
        return ProbeObs(id=test.id, status="error", error=f"{type(exc).__name__}: {exc}")
    return ProbeObs(id=test.id, status="ok", scalars=scalars, arrays=arrays)


def passed_tests(topic_name: str, notebooks: list[Path], seeds) -> dict[str, dict[str, list[bool]]]:
    """notebook name -> test id -> one pass/fail per seed (value, shape and gradient tests)."""
    topic = get_topic(topic_name)
    probes = _module("probes", [(0, topic.source("probes.py"))])
    ref = _module("reference", [(1, topic.source("reference.py"))])
    verdicts = load_verdicts(topic)
    subs = {p.name: _module("submission", [(c.index, c.source) for c in load_submission(p).cells])
            for p in notebooks}
    # timed and fed probes need the grader's parent (the secret stream): not run in-process
    tests = [t for t in topic.tests if t.check != "speed" and not t.requires
             and not isinstance(t.options.get("timing"), dict)]
    out: dict[str, dict[str, list[bool]]] = {name: {t.id: [] for t in tests} for name in subs}
    for seed in seeds:
        for test in tests:
            expected = _observe(probes, ref, seed, test)
            assert expected.status == "ok", f"reference failed {test.id}: {expected.error}"
            for name, mod in subs.items():
                got = _observe(probes, mod, seed, test)
                ok = got.status == "ok" and check(test, expected, got, verdicts=verdicts,
                                                  seed=seed).passed
                out[name][test.id].append(bool(ok))
    return out
