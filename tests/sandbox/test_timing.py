"""Speed and memory measured from outside the student's process: one test per forgery class, each
scoring exactly what its honest twin scores (a slow answer that forges stays a slow answer).

A small NumPy-only topic (written to a temporary folder) keeps these fast: ``score(a, b)`` is the
log-sum-exp of each row of ``a @ b.T``. The reference is tiled and vectorised; the honest slow twin
loops over rows in Python; the honest big twin materialises the whole score matrix.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograder.probe import observe, reference_cells
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import load_topic
from autograder.verdict import judge

pytestmark = pytest.mark.slow  # ~20 sandbox runs

MANIFEST = '''
title = "timing forgeries"
kinds = ["V", "P"]
[limits]
wall_s = 60
cpu_s = 60
memory_mb = 1024
[[tests]]
id = "values"
points = 1
kind = "V"
rtol = 1e-6
[[tests]]
id = "speed"
points = 1
kind = "P"
check = "speed"
factor = 3.0
rtol = 1e-6
atol = 1e-9
time_limit = 30
[tests.timing]
inputs = { a = { shape = [256, 8] }, b = { shape = [256, 8] } }
warmup = 2
calls = 9
[[tests]]
id = "memory"
points = 1
kind = "P"
check = "memory"
full_bytes = 33554432
max_fraction = 0.5
rtol = 1e-6
atol = 1e-9
time_limit = 30
[tests.timing]
inputs = { a = { shape = [2048, 8] }, b = { shape = [2048, 8] } }
warmup = 1
calls = 1
measure = "memory"
'''

PROBES = '''
import numpy as np

def values(sub, rng):
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    return {"out": sub.score(a, b)}

def speed(sub, rng):
    return lambda a, b: sub.score(a, b)

def memory(sub, rng):
    return lambda a, b: sub.score(a, b)
'''

REFERENCE = '''
import numpy as np

def score(a, b):
    out = np.empty(a.shape[0])
    for i in range(0, a.shape[0], 128):
        s = a[i:i + 128] @ b.T  # (128, M)
        m = s.max(1)
        out[i:i + 128] = m + np.log(np.exp(s - m[:, None]).sum(1))
    return out
'''

SLOW = '''
import numpy as np

def score(a, b):
    out = np.empty(a.shape[0])
    for i in range(a.shape[0]):  # slow: a Python loop over rows, and over blocks of 16 keys
        s = np.concatenate([b[j:j + 16] @ a[i] for j in range(0, b.shape[0], 16)])  # (M,)
        m = s.max()
        out[i] = m + np.log(np.exp(s - m).sum())
    return out
'''

BIG = '''
import numpy as np

def score(a, b):
    s = a @ b.T  # (N, M): the whole score matrix
    m = s.max(1)
    return m + np.log(np.exp(s - m[:, None]).sum(1))
'''

# Helpers a forging notebook uses: the channel's fds are pipes the harness duplicated.
FIND_CHANNEL = '''
import os, stat
def _pipes(mode):
    out = []
    for fd in range(3, 64):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISFIFO(st.st_mode):
            fl = __import__("fcntl").fcntl(fd, __import__("fcntl").F_GETFL) & os.O_ACCMODE
            if fl == mode:
                out.append(fd)
    return out
'''

FORGERIES = {
    # forged markers: an extra "end" and a "result" nobody asked for, written on the channel.
    "forged_markers": SLOW + FIND_CHANNEL + '''
from autograder.runtime import frames
_slow = score
def score(a, b):
    for fd in _pipes(os.O_WRONLY):
        os.write(fd, frames.encode({"ev": "result", "id": "speed", "n": 99}, {"out": np.zeros(a.shape[0])}))
    return _slow(a, b)
''',
    # suppressed markers: the channel pointed at /dev/null before the probes start.
    "suppressed_markers": SLOW + FIND_CHANNEL + '''
_null = os.open(os.devnull, os.O_WRONLY)
for fd in _pipes(os.O_WRONLY):
    os.dup2(_null, fd)
''',
    # patched clocks: every clock the process can read says no time passes.
    "patched_clocks": SLOW + '''
import time
for name in ("perf_counter", "thread_time", "process_time", "monotonic", "time"):
    setattr(time, name, lambda: 0.0)
''',
    # forged call counts / measurements: the harness's own serving loop replaced by one that
    # claims results without calling anything timed (the parent decides the calls and reads the clock).
    "forged_serve_loop": SLOW + '''
import sys
_main = sys.modules["__main__"]
_orig = _main.serve_timed
def _forged(call, ident, send, recv, **_):
    send({"ev": "ready", "id": ident})
    while True:
        head, arrays = recv()
        if head.get("op") != "call":
            return
        send({"ev": "result", "id": ident, "n": head.get("n")}, {"out": np.zeros(arrays["a"].shape[0])})
_main.serve_timed = _forged
''',
    # precomputation from the seed: answers computed before the timed window for the inputs the
    # probe's own random stream would give.
    "precomputed_from_seed": SLOW + '''
import sys, zlib
_cache = {}
def _pre():
    job_seed = None
    f = sys._getframe()
    while f is not None:
        if "job" in f.f_locals and isinstance(f.f_locals["job"], dict):
            job_seed = f.f_locals["job"].get("seed")
        f = f.f_back
    rng = np.random.default_rng([job_seed or 0, zlib.crc32(b"speed")])
    for _ in range(11):
        a, b = rng.standard_normal((256, 8)), rng.standard_normal((256, 8))
        _cache[a.tobytes()[:64]] = _slow(a, b)
_slow = score
def score(a, b):
    if not _cache:
        _pre()
    key = a.tobytes()[:64]
    return _cache[key] if key in _cache else _slow(a, b)
''',
    # timed-input detection: a fast wrong answer for the timed shape.
    "detects_timed_input": SLOW + '''
_slow = score
def score(a, b):
    if a.shape == (256, 8):
        return np.zeros(256)
    return _slow(a, b)
''',
    # work moved to a thread: the calling thread's clock sees nothing.
    "work_in_thread": SLOW + '''
import threading
_slow = score
def score(a, b):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", _slow(a, b)))
    t.start(); t.join()
    return box["r"]
''',
    # work moved to a child process.
    "work_in_child": SLOW + '''
import os
_slow = score
def score(a, b):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(w, _slow(a, b).tobytes()); os._exit(0)
    os.close(w)
    data = b""
    while len(data) < a.shape[0] * 8:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        data += chunk
    os.close(r); os.waitpid(pid, 0)
    return np.frombuffer(data, dtype=np.float64)
''',
    # memoisation: answers remembered by input content.
    "memoised": SLOW + '''
_memo = {}
_slow = score
def score(a, b):
    key = (a.tobytes(), b.tobytes())
    if key not in _memo:
        _memo[key] = _slow(a, b)
    return _memo[key]
''',
}

MEMORY_FORGERIES = {
    # clear_refs: resetting the process's own high-water mark changes nothing the kernel's cgroup keeps.
    "clear_refs": BIG + '''
_big = score
def score(a, b):
    r = _big(a, b)
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return r
''',
    # the whole matrix formed in a child process.
    "child_process_memory": BIG + '''
import os
_big = score
def score(a, b):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(w, _big(a, b).tobytes()); os._exit(0)
    os.close(w)
    data = b""
    while len(data) < a.shape[0] * 8:
        chunk = os.read(r, 1 << 20)
        if not chunk:
            break
        data += chunk
    os.close(r); os.waitpid(pid, 0)
    return np.frombuffer(data, dtype=np.float64)
''',
    # ballast: memory held before the call and freed during it, to make room for the matrix.
    "freed_ballast": BIG + '''
_ballast = [np.ones(120 << 17)]  # 120 MB, touched
_big = score
def score(a, b):
    _ballast.clear()
    r = _big(a, b)
    _ballast.append(np.ones(120 << 17))
    return r
''',
}


@pytest.fixture(scope="module")
def topic(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    d = root / "reference" / "99_timing"
    d.mkdir(parents=True)
    (d / "manifest.toml").write_text(MANIFEST)
    (d / "probes.py").write_text(PROBES)
    (d / "reference.py").write_text(REFERENCE)
    return load_topic(d)


@pytest.fixture(scope="module")
def ref(topic):
    return observe(topic=topic, cells=reference_cells(topic), seed=11, sandbox=ProcessSandbox(isolate=False))


def _grade(topic, ref, source):
    sub = observe(topic=topic, cells=[{"index": 1, "source": textwrap.dedent(source)}], seed=11,
                  sandbox=ProcessSandbox())
    results = judge(topic=topic, ref=ref, sub=sub, fatal=None, findings=[], seed=11)
    return {r.id: r for r in results}, sub


@pytest.fixture(scope="module")
def honest(topic, ref):
    return {name: _grade(topic, ref, src)[0] for name, src in
            (("reference", REFERENCE), ("slow", SLOW), ("big", BIG))}


def _scores(results):
    return {k: r.score for k, r in results.items()}


def test_the_honest_twins_are_told_apart(honest):
    assert _scores(honest["reference"]) == {"values": 1, "speed": 1, "memory": 1}
    assert _scores(honest["slow"])["speed"] == 0 and honest["slow"]["values"].score == 1
    assert _scores(honest["big"])["memory"] == 0 and honest["big"]["speed"].score == 1


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_speed_forgery_scores_what_its_honest_twin_scores(topic, ref, honest, name):
    results, sub = _grade(topic, ref, FORGERIES[name])
    assert results["speed"].score == honest["slow"]["speed"].score == 0, results["speed"].output
    assert results["values"].score == honest["slow"]["values"].score, results["values"].output


@pytest.mark.parametrize("name", sorted(MEMORY_FORGERIES))
def test_memory_forgery_scores_what_its_honest_twin_scores(topic, ref, honest, name):
    results, sub = _grade(topic, ref, MEMORY_FORGERIES[name])
    assert results["memory"].score == honest["big"]["memory"].score == 0, results["memory"].output
    assert results["values"].score == 1


def test_the_parent_measured_every_call_of_the_reference(ref):
    speed = ref.run.timed["speed"]
    assert speed.error is None and len(speed.cpu_s) == 9 and len(speed.outputs) == 9
    assert ref.run.meter  # which kernel accounting was read is recorded
    assert not ref.run.protocol_errors
