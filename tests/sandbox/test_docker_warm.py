"""The warm Docker sandbox (a zygote container per slot, one forked process per submission): no
state crosses from one submission to the next, a run cannot forge the end of its job, and a run
that hits a limit leaves the next one unharmed.

Skipped where no Docker daemon answers or the grading image is not built, except under CI=true."""
from __future__ import annotations

import os
import textwrap

import pytest

from autograder.probe import observe
from autograder.topics import load_topic

pytestmark = [pytest.mark.docker, pytest.mark.slow]

MANIFEST = '''
title = "warm sandbox"
kinds = ["V"]
[limits]
wall_s = 60
cpu_s = 30
memory_mb = 1024
[[tests]]
id = "look"
points = 1
kind = "V"
time_limit = 30
'''

PROBES = '''
def look(sub, rng):
    return sub.look()
'''

REFERENCE = '''
def look():
    return {"ok": 1}
'''

# The first submission leaves everything it can behind, and tries to end its job early.
LEAVES = textwrap.dedent('''
import ctypes, os, subprocess, sys, time
import numpy as np

def look():
    for place in ("/tmp", "/dev/shm", "."):
        with open(os.path.join(place, "left-behind"), "w") as fh:
            fh.write("secret of the first student")
        os.makedirs(os.path.join(place, "locked", "deeper"), exist_ok=True)
        os.chmod(os.path.join(place, "locked"), 0)
    # a daemon that outlives the run (its own session, double fork) and keeps writing
    subprocess.Popen([sys.executable, "-c",
                      "import os, time\\nif os.fork(): os._exit(0)\\nos.setsid()\\n"
                      "while True:\\n    open('/tmp/daemon-was-here', 'w').close(); time.sleep(0.05)"],
                     start_new_session=True)
    libc = ctypes.CDLL(None)
    shm = libc.shmget(0x5eed, 4096, 0o1000 | 0o666)  # IPC_CREAT
    os.environ["LEFT_BEHIND"] = "1"
    np.left_behind = 1
    sys.modules["left_behind"] = sys
    np.set_printoptions(precision=2)
    import torch
    torch.left_behind = 1
    torch.manual_seed(1234)
    # forged end-of-job markers on every descriptor: the nonce is not in this process
    for fd in range(0, 64):
        try:
            os.write(fd, b"\\0AGZ-END-" + b"0" * 32 + b"\\0{\\"status\\": 0, \\"cleaned\\": true}\\n")
        except OSError:
            pass
    time.sleep(0.3)
    return {"ok": 1, "shm": int(shm >= 0)}
''')

# The next submission looks for all of it.
FINDS = textwrap.dedent('''
import ctypes, os, sys
import numpy as np

def look():
    me = os.getuid()
    others = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in (os.getpid(), os.getppid()):
            continue
        try:
            with open(f"/proc/{pid}/status") as fh:
                uid = [l for l in fh if l.startswith("Uid:")][0].split()[1]
        except (OSError, IndexError):
            continue
        others += int(uid) == me
    found = sum(os.path.lexists(os.path.join(p, n)) for p in ("/tmp", "/dev/shm", ".")
                for n in ("left-behind", "locked"))
    found += os.path.lexists("/tmp/daemon-was-here")
    libc = ctypes.CDLL(None)
    import torch
    return {"ok": 1, "files": found, "processes": others,
            "shm": int(libc.shmget(0x5eed, 4096, 0) >= 0),
            "env": int("LEFT_BEHIND" in os.environ),
            "modules": int(hasattr(np, "left_behind") or "left_behind" in sys.modules
                           or hasattr(torch, "left_behind")),
            "printoptions": int(np.get_printoptions()["precision"] != 8),
            "uid": me}
''')


@pytest.fixture(scope="module")
def warm():
    try:
        from autograder.sandbox.docker import DockerSandbox

        base = DockerSandbox.connect()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Docker sandbox unavailable: {exc} (CI=true: run `sh docker/ci-setup.sh`)")
        pytest.skip(f"Docker sandbox unavailable: {exc}")
    box = DockerSandbox(base.client, base.image, warm=True)
    yield box
    box.close()


@pytest.fixture(scope="module")
def topic(tmp_path_factory):
    d = tmp_path_factory.mktemp("root") / "reference" / "97_warm"
    d.mkdir(parents=True)
    (d / "manifest.toml").write_text(MANIFEST)
    (d / "probes.py").write_text(PROBES)
    (d / "reference.py").write_text(REFERENCE)
    return load_topic(d)


def _run(warm, topic, source):
    obs = observe(topic=topic, cells=[{"index": 1, "source": source}], seed=3, sandbox=warm, slot=0)
    return obs, obs.probes.get("look")


def test_no_state_crosses_to_the_next_submission(warm, topic):
    first, look = _run(warm, topic, LEAVES)
    assert look is not None and look.status == "ok", (first.run.killed_reason, first.run.stderr[-2000:])
    assert look.scalars["ok"] == 1 and look.scalars["shm"] == 1  # it did leave all that behind
    # its forged end markers only garbled its own channel: the job ended when the zygote said so
    assert first.run.returncode == 0 and not first.run.timed_out
    box = warm._warm[0]
    second, seen = _run(warm, topic, FINDS)
    assert seen is not None and seen.status == "ok", (second.run.killed_reason, second.run.stderr[-2000:])
    assert warm._warm[0] is box and box.runs == 2  # the same container served both
    found = {k: v for k, v in seen.scalars.items() if k not in ("ok", "uid")}
    assert found == {"files": 0, "processes": 0, "shm": 0, "env": 0, "modules": 0, "printoptions": 0}
    assert seen.scalars["uid"] == 61000


def test_a_run_killed_by_a_limit_leaves_the_next_one_working(warm, topic):
    bomb = textwrap.dedent('''
    def look():
        blocks = []
        while True:
            blocks.append(bytearray(64 << 20))
    ''')
    obs, look = _run(warm, topic, bomb)
    assert obs.run.killed_by == "limit" or (look is not None and look.status == "error")
    after, seen = _run(warm, topic, FINDS)
    assert seen is not None and seen.status == "ok", after.run.stderr[-2000:]
    assert seen.scalars["files"] == 0 and seen.scalars["processes"] == 0


def test_a_run_past_the_time_limit_replaces_the_container(warm, topic):
    import dataclasses

    short = dataclasses.replace(topic, limits=dataclasses.replace(topic.limits, wall_s=8))
    before = warm._warm.get(0)
    obs, _ = _run(warm, short, "import time\ndef look():\n    time.sleep(60)\n")
    assert obs.run.timed_out or obs.probes["look"].status == "error"
    if obs.run.timed_out:
        assert warm._warm.get(0) is None or warm._warm[0] is not before
    after, seen = _run(warm, topic, FINDS)
    assert seen is not None and seen.status == "ok", after.run.stderr[-2000:]
    assert seen.scalars["processes"] == 0


# The cold sandbox's limit and isolation tests, run again on the warm one (same assertions).
from test_docker import (  # noqa: E402 - pytest puts this folder on sys.path
    test_cannot_write_outside_the_working_directory as test_warm_cannot_write_outside,
    test_cpu_time_is_read_from_the_containers_cgroup as test_warm_cpu_time_from_the_cgroup,
    test_cpu_time_limit as test_warm_cpu_time_limit,
    test_filling_the_working_folder_is_the_disk_limit as test_warm_disk_limit,
    test_hidden_material_is_out_of_reach as test_warm_hidden_material_out_of_reach,
    test_huge_output_is_truncated as test_warm_huge_output_truncated,
    test_markers_are_collected as test_warm_markers_collected,
    test_memory_bomb_is_killed_with_a_clear_message as test_warm_memory_bomb,
    test_network_is_unreachable as test_warm_network_unreachable,
    test_one_cpu as test_warm_one_cpu,
    test_sleep_past_the_wall_clock_is_killed as test_warm_sleep_past_wall_clock,
    test_tmp_is_small as test_warm_tmp_is_small,
)


@pytest.fixture(scope="module")
def box(warm):
    return warm


def test_warm_fork_bomb_is_contained(warm, topic):
    from test_docker import _run as cold_run

    _, run, wall = cold_run(warm, "fork_bomb.py", wall_s=20)
    assert wall < 60
    after, seen = _run(warm, topic, FINDS)  # and the next run finds nothing of it
    assert seen is not None and seen.status == "ok", after.run.stderr[-2000:]
    assert seen.scalars["processes"] == 0


def test_warm_up_starts_each_slots_zygote_ahead_and_the_run_takes_it(warm, topic):
    from autograder.sandbox.docker import DockerSandbox

    box = DockerSandbox(warm.client, warm.image, warm=True)
    try:
        box.warm_up(limits=topic.limits, slots=2, modules=("numpy", "not-a-module;rm -rf /"))
        ahead = {slot: fut.result(timeout=120) for slot, fut in box._warming.items()}
        assert sorted(ahead) == [0, 1]
        cmd = box.client.api.inspect_container(ahead[0].cid)["Config"]["Cmd"]
        assert cmd[-1] == "numpy"  # only preloadable names reach the zygote's command line
        obs = observe(topic=topic, cells=[{"index": 1, "source": REFERENCE}], seed=3, sandbox=box, slot=0)
        assert obs.probes["look"].status == "ok"
        assert box._warm[0].cid == ahead[0].cid  # the run used the zygote started ahead
        box.warm_up(limits=topic.limits, slots=2)  # slots already warm or warming: nothing new
        assert set(box._warming) == {1}
    finally:
        box.close()
    left = [c.id for c in warm.client.containers.list(all=True) if c.id in (ahead[0].cid, ahead[1].cid)]
    assert not left  # close() removed the one used and the one never used
