"""Process sandbox: a child process with resource limits, an unprivileged user, and (through
bubblewrap) private mount, PID and network namespaces in which only the working directory, the
Python installation and the public `autograder` package are visible.

Used where Docker is not (a laptop, a quick try), and, with ``isolate=False``, to run the trusted
reference through the very same harness.
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import site
import subprocess
import sys
import time
from pathlib import Path

from autograder.sandbox import (HARNESS, PACKAGE_DIR, CappedReader, MarkerReader, RunResult,
                                job_bytes, new_token)
from autograder.topics import Limits

SANDBOX_DIR = "/sandbox"
LIB_DIR = "/sandbox-lib"
BASE_UID = 61000  # one uid per parallel slot, so process-count limits are per sandbox

THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}


def _python_roots() -> list[str]:
    """Directories the interpreter and its packages live in (bound read-only into the sandbox)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    for p in site.getsitepackages() + [site.getusersitepackages()]:
        if os.path.isdir(p):
            roots.add(p)
    roots = sorted(r for r in roots if r and os.path.isdir(r) and not r.startswith("/usr"))
    # Drop a root nested inside another one.
    return [r for r in roots if not any(r != o and r.startswith(o + "/") for o in roots)]


def _parents(path: str) -> list[str]:
    """bwrap creates missing parents of a mount point as 0700 (unreadable to the sandbox user);
    create them as 0755 first."""
    out, parts = [], path.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        d = "/" + "/".join(parts[:i])
        if d not in ("/usr", "/tmp", "/proc", "/dev"):
            out += ["--perms", "0755", "--dir", d]
    return out


@functools.lru_cache(maxsize=1)
def bwrap_mode() -> str | None:
    """"root" (bwrap as root, then drop to an unprivileged uid), "userns" (unprivileged bwrap in a
    user namespace), or None where bubblewrap cannot build a sandbox on this host."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return None
    probe = [bwrap, "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink",
             "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
             "--unshare-pid", "--unshare-net", "--die-with-parent"]
    if os.geteuid() == 0:
        cmd = probe + ["/usr/bin/setpriv", f"--reuid={BASE_UID}", f"--regid={BASE_UID}",
                       "--clear-groups", "/bin/true"]
        mode = "root"
    else:
        cmd = probe[:1] + ["--unshare-user"] + probe[1:] + ["/bin/true"]
        mode = "userns"
    try:
        ok = subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except Exception:  # noqa: BLE001
        ok = False
    return mode if ok else None


class ProcessSandbox:
    name = "process"

    def __init__(self, isolate: bool = True):
        self.isolate = isolate

    def describe(self) -> str:
        if not self.isolate:
            return "trusted process (reference)"
        mode = bwrap_mode()
        if mode == "root":
            return ("bubblewrap: private mount/PID/network namespaces, only the working directory "
                    "visible, unprivileged uid, resource limits")
        if mode == "userns":
            return ("bubblewrap (user namespace): private mount/PID/network namespaces, only the "
                    "working directory visible, resource limits")
        return ("NOT ISOLATED: resource limits only; bubblewrap is unavailable on this host, so the "
                "code under test could read any file this user can read")

    def _command(self, workdir: Path, slot: int) -> tuple[list[str], dict, str]:
        python = sys.executable
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", **THREAD_ENV}
        mode = bwrap_mode() if self.isolate else None
        if mode is None:
            env.update(HOME=str(workdir), PYTHONPATH=str(PACKAGE_DIR.parent))
            return [python, "-B", str(PACKAGE_DIR.parent / HARNESS)], env, str(workdir)
        uid = BASE_UID + slot
        cmd = ["bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
               "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
               "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
               "--bind", str(workdir), SANDBOX_DIR,
               "--chdir", SANDBOX_DIR, "--unshare-pid", "--unshare-net", "--unshare-ipc",
               "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
        binds = [(str(PACKAGE_DIR), f"{LIB_DIR}/autograder")] + [(r, r) for r in _python_roots()]
        for _, dest in binds:
            cmd += _parents(dest)
        for src, dest in binds:
            cmd += ["--ro-bind", src, dest]
        if mode == "userns":
            cmd.insert(1, "--unshare-user")
            cmd += ["--cap-drop", "ALL"]
        else:
            os.chown(workdir, uid, uid)
            for p in workdir.rglob("*"):
                os.chown(p, uid, uid)
            cmd += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                    "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        env.update(HOME=SANDBOX_DIR, PYTHONPATH=LIB_DIR)
        cmd += [python, "-B", f"{LIB_DIR}/{HARNESS}"]
        return cmd, env, str(workdir)

    def run(self, *, workdir: Path, job: dict, limits: Limits, slot: int = 0) -> RunResult:
        token = new_token()
        payload = job_bytes({**job, "token": token})
        cmd, env, cwd = self._command(workdir, slot)
        isolate = self.isolate

        def limit():
            # Runs in the child before exec: the limits hold for everything it starts.
            mem = limits.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            cpu = int(limits.cpu_s)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
            if isolate:
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.pids, limits.pids))

        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=limit, start_new_session=True)
        markers = MarkerReader(proc.stdout, token, t0)
        err = CappedReader(proc.stderr, limits.output_kb * 1024)
        try:
            proc.stdin.write(payload)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        timed_out = False
        try:
            proc.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        # Kill the whole session either way: nothing the code under test started outlives it.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        wall = time.monotonic() - t0
        markers.join()
        stderr, truncated = err.text()
        rc = proc.returncode
        reason = None
        if timed_out:
            reason = f"time limit ({limits.wall_s:g} s wall clock)"
        elif rc == -signal.SIGXCPU or rc == -signal.SIGKILL and wall >= limits.cpu_s:
            reason = f"CPU time limit ({limits.cpu_s:g} s)"
        elif rc is not None and rc < 0:
            reason = f"killed by signal {signal.Signals(-rc).name}"
        if "MemoryError" in stderr or "Cannot allocate memory" in stderr:
            reason = reason or f"memory limit ({limits.memory_mb} MB)"
        return RunResult(sandbox=self.name if isolate else "trusted", isolation=self.describe(),
                         returncode=rc, wall_s=wall, timed_out=timed_out, killed_reason=reason,
                         stderr=stderr, stderr_truncated=truncated, markers=markers.markers)
