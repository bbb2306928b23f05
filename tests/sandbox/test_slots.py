"""Two graders on one host never run sandboxes as the same uid (RLIMIT_NPROC and the kernel's
per-uid task count are host-wide)."""
import subprocess
import sys

from autograder.sandbox import slots

CHILD = ("import sys, time\nfrom autograder.sandbox.slots import host_slot\n"
         "print(host_slot(0), host_slot(1), flush=True)\ntime.sleep(float(sys.argv[1]))\n")


def test_concurrent_graders_get_distinct_slots(tmp_path, monkeypatch):
    env = {"AUTOGRADER_SLOT_DIR": str(tmp_path)}
    import os

    env = {**os.environ, **env}
    first = subprocess.Popen([sys.executable, "-c", CHILD, "30"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        a = first.stdout.readline().split()
        b = subprocess.run([sys.executable, "-c", CHILD, "0"], capture_output=True, text=True,
                           env=env, check=True).stdout.split()
        assert a == ["0", "1"]  # a lone grader keeps its own slot numbers
        assert not set(a) & set(b)
    finally:
        first.kill()
        first.wait()
    # The lease ends with the process that held it.
    c = subprocess.run([sys.executable, "-c", CHILD, "0"], capture_output=True, text=True,
                       env=env, check=True).stdout.split()
    assert c == ["0", "1"]


def test_one_process_keeps_its_lease(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SLOT_DIR", str(tmp_path))
    monkeypatch.setattr(slots, "_held", {})
    assert slots.host_slot(3) == slots.host_slot(3) == 3
