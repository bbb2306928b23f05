"""Fed probes (convergence tests): the parent draws the data from its secret stream, sends the
training set, keeps the held-out set and the true parameters, and the verdict scores what the
submission returned on what it kept. Forgeries that look for the answer anywhere in their own
process (frames, module globals, every object the garbage collector knows, the run's seed) score
exactly what an honest submission that does not train scores.

The scan for introspection (a review finding) is not applied here: ``judge`` gets no findings, so
these tests show the data is out of reach, not that the scan catches the attempt."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograder.probe import observe, reference_cells
from autograder.sandbox import driver
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import load_topic
from autograder.verdict import judge

pytestmark = pytest.mark.slow  # ~10 sandbox runs

MANIFEST = '''
title = "fed convergence"
kinds = ["C"]
[limits]
wall_s = 60
cpu_s = 60
memory_mb = 1024
[[tests]]
id = "fit"
points = 1
kind = "C"
check = "custom"
verdict = "held_out_mse"
target = 0.05
time_limit = 30
[tests.timing]
feed = "task"
warmup = 0
calls = 2
'''

PROBES = '''
import numpy as np

def task(rng, n=200, d=6):
    w = rng.standard_normal(d)  # (d,) the optimum: kept
    X, X_test = rng.standard_normal((n, d)), rng.standard_normal((n, d))  # (n, d)
    noise = 0.1
    return {"X": X, "y": X @ w + noise * rng.standard_normal(n),
            "_w_true": w, "_X_test": X_test, "_y_test": X_test @ w + noise * rng.standard_normal(n)}

def fit(sub, rng):
    return lambda X, y: {"w": np.asarray(sub.fit(X.copy(), y.copy()), dtype=float)}
'''

VERDICTS = '''
import numpy as np
from autograder.checks import Verdict

def held_out_mse(*, ref, sub, test, seed, held_out):
    w = np.asarray(sub["w"], dtype=float).reshape(-1)
    if w.shape != held_out["w_true"].shape:
        return Verdict(0.0, f"w has shape {w.shape}")
    mse = float(np.mean((held_out["X_test"] @ w - held_out["y_test"]) ** 2))
    ok = mse <= test.options["target"]
    return Verdict(float(ok), "" if ok else f"held-out MSE {mse:.3g}", {"mse": mse})
'''

REFERENCE = '''
import numpy as np

def fit(X, y, lr=0.1, steps=300):
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        w -= lr * X.T @ (X @ w - y) / len(y)
    return w
'''

UNTRAINED = '''
import numpy as np

def fit(X, y):
    return np.zeros(X.shape[1])
'''

FORGERIES = {
    # every array of the right shape anywhere in the process: frames, module globals, the heap
    "searches_the_whole_process": '''
import gc, inspect, sys
import numpy as np

def fit(X, y):
    d = X.shape[1]
    found = []
    for info in inspect.stack():
        found += [v for v in inspect.getargvalues(info.frame).locals.values()]
    for mod in list(sys.modules.values()):
        found += list(getattr(mod, "__dict__", {}).values())
    found += gc.get_objects()
    for v in found:
        if isinstance(v, np.ndarray) and v.shape == (d,) and v.dtype == float and not np.shares_memory(v, y):
            return v.copy()
    for v in found:  # a dict holding the answer, e.g. a feed's output
        if isinstance(v, dict):
            for key in ("_w_true", "w_true", "w"):
                if isinstance(v.get(key), np.ndarray) and v[key].shape == (d,):
                    return v[key].copy()
    return np.zeros(d)
''',
    # the run's seed is in reach: replay the feed with every stream the probe could have used
    "replays_the_feed_from_the_seed": '''
import sys
import numpy as np

def fit(X, y):
    d = X.shape[1]
    seeds = [v for m in list(sys.modules.values()) for k, v in getattr(m, "__dict__", {}).items()
             if k.lower().endswith("seed") and isinstance(v, int)]
    for s in seeds + [11]:
        for rng in (np.random.default_rng(s), np.random.default_rng([s, 0])):
            w = rng.standard_normal(d)
            if np.allclose(rng.standard_normal((len(y), d)), X):
                return w
    return np.zeros(d)
''',
}


@pytest.fixture(scope="module")
def topic(tmp_path_factory):
    d = tmp_path_factory.mktemp("root") / "reference" / "98_fed"
    d.mkdir(parents=True)
    (d / "manifest.toml").write_text(MANIFEST)
    (d / "probes.py").write_text(PROBES)
    (d / "verdicts.py").write_text(VERDICTS)
    (d / "reference.py").write_text(REFERENCE)
    return load_topic(d)


@pytest.fixture(scope="module")
def ref(topic):
    return observe(topic=topic, cells=reference_cells(topic), seed=11, sandbox=ProcessSandbox(isolate=False))


def _grade(topic, ref, source):
    sub = observe(topic=topic, cells=[{"index": 1, "source": textwrap.dedent(source)}], seed=11,
                  sandbox=ProcessSandbox())
    (result,) = judge(topic=topic, ref=ref, sub=sub, fatal=None, findings=[], seed=11)
    return result, sub


def test_honest_twins_are_told_apart(topic, ref):
    trained, _ = _grade(topic, ref, REFERENCE)
    untrained, _ = _grade(topic, ref, UNTRAINED)
    assert trained.score == 1, trained.output
    assert untrained.score == 0 and "held-out MSE" in untrained.output


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_convergence_forgery_scores_what_the_untrained_twin_scores(topic, ref, name):
    result, sub = _grade(topic, ref, FORGERIES[name])
    assert sub.probes["fit"].status == "ok", sub.probes["fit"].error  # it ran, and found nothing
    assert result.score == 0, result.output


def test_nothing_the_verdict_keeps_is_ever_sent(topic, monkeypatch):
    sent: list[bytes] = []
    encode = driver.frames.encode

    def spy(header, arrays=None):
        data = encode(header, arrays)
        sent.append(bytes(data))
        return data

    monkeypatch.setattr(driver.frames, "encode", spy)
    obs = observe(topic=topic, cells=reference_cells(topic), seed=11, sandbox=ProcessSandbox(isolate=False))
    timed = obs.run.timed["fit"]
    assert timed.error is None and len(timed.kept) == 2 and len(timed.outputs) == 2
    wire = b"".join(sent)
    for held in timed.kept:
        assert set(held) == {"w_true", "X_test", "y_test"}
        for arr in held.values():
            assert arr.tobytes()[:64] not in wire  # no 8 consecutive values of it crossed
    calls = [frame for frame in sent if b'"op": "call"' in frame[:200]]
    assert len(calls) == 2  # one call per data set


def test_feed_data_splits_sent_from_kept(topic):
    plan = driver.TimedPlan(id="fit", inputs={}, warmup=0, calls=1, feed="task")
    sent, kept = driver.feed_data(np.random.default_rng(0), plan, topic.source("probes.py"))
    assert set(sent) == {"X", "y"} and set(kept) == {"w_true", "X_test", "y_test"}
    with pytest.raises(LookupError):
        driver.feed_data(np.random.default_rng(0), driver.TimedPlan(id="x", inputs={}, feed="nope"),
                         topic.source("probes.py"))


SLOW_FEED_MANIFEST = MANIFEST.replace("time_limit = 30", "time_limit = 1").replace("calls = 2", "calls = 3")
SLOW_FEED_PROBES = PROBES.replace("def task(rng, n=200, d=6):\n",
                                  "def task(rng, n=200, d=6):\n    import time; time.sleep(1.5)  # the grader's own work\n")


@pytest.fixture(scope="module")
def slow_feed_topic(tmp_path_factory):
    d = tmp_path_factory.mktemp("root") / "reference" / "97_slow_feed"
    d.mkdir(parents=True)
    (d / "manifest.toml").write_text(SLOW_FEED_MANIFEST)
    (d / "probes.py").write_text(SLOW_FEED_PROBES)
    (d / "verdicts.py").write_text(VERDICTS)
    (d / "reference.py").write_text(REFERENCE)
    return load_topic(d)


def test_the_graders_own_feed_time_is_not_the_submissions(slow_feed_topic):
    # 3 feeds of 1.5 s each (4.5 s) outlast the 1 s limit and its 3 s grace: only the time the
    # sandbox holds a call counts, on both sides (a loaded CI machine once timed out topic 04's
    # solution while the parent was still making its data).
    sub = observe(topic=slow_feed_topic, cells=[{"index": 1, "source": REFERENCE}], seed=11,
                  sandbox=ProcessSandbox())
    timed = sub.run.timed["fit"]
    assert timed.error is None and len(timed.outputs) == 3, timed.error


def test_the_limit_still_spans_all_calls(slow_feed_topic):
    # 0.6 s per call: each call is inside the 1 s limit, the three together are not
    slow = REFERENCE.replace("    w = np.zeros(X.shape[1])", "    import time; time.sleep(0.6)\n    w = np.zeros(X.shape[1])")
    sub = observe(topic=slow_feed_topic, cells=[{"index": 1, "source": slow}], seed=11,
                  sandbox=ProcessSandbox())
    timed = sub.run.timed["fit"]
    assert timed.error is not None and not timed.outputs
