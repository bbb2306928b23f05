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
import tempfile
import threading
import time
from pathlib import Path

from autograder.sandbox import (HARNESS, PACKAGE_DIR, CappedReader, RunResult, new_token,
                                open_channel, split_job)
from autograder.sandbox import forkserver
from autograder.sandbox.slots import host_slot
from autograder.sandbox.cgroup import Cgroup, ProcTreeMeter
from autograder.topics import Limits

SANDBOX_DIR = "/sandbox"
LIB_DIR = "/sandbox-lib"
# One uid per parallel slot (leased host-wide, see slots.py), so process-count limits are per
# sandbox; above the Docker sandbox's uid (61000), whose containers count against their own uid.
BASE_UID = 62000

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


@functools.lru_cache(maxsize=1)
def _setpriv_mode() -> bool:
    """Root without bubblewrap: the code under test can still run as an unprivileged uid, where
    that uid can reach the interpreter, its packages and ours (Gradescope: a venv under /autograder)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    import numpy  # noqa: F401 - where the harness's one dependency lives

    need = [sys.prefix, os.path.realpath(sys.executable), str(PACKAGE_DIR),
            os.path.dirname(sys.modules["numpy"].__file__)]
    return all(_others_can_reach(p) for p in need)


def _others_can_reach(path: str) -> bool:
    p = Path(path).resolve()
    for d in [p, *p.parents]:
        try:
            mode = d.stat().st_mode
        except OSError:
            return False
        if d.is_dir() and not mode & 0o001:
            return False
    return bool(p.stat().st_mode & 0o004) if p.is_file() else True


def _chown_tree(workdir: Path, uid: int) -> None:
    os.chown(workdir, uid, uid)
    for p in workdir.rglob("*"):
        os.lchown(p, uid, uid)


@functools.lru_cache(maxsize=1)
def _wide_limits_note() -> str:
    from autograder.sandbox.cgroup import detect

    cg = detect()
    disk = os.geteuid() == 0 and shutil.which("mount") is not None
    parts = []
    if cg:
        parts.append(f"memory, pids and CPU limits for the whole sandbox and its accounting from a "
                     f"per-sandbox cgroup ({cg})")
    else:
        parts.append("NO sandbox-wide memory/pids/CPU limit (no usable cgroup on this host: per-process "
                     "rlimits only; CPU time read from /proc for the session)")
    parts.append("working folder on a size-capped tmpfs" if disk else
                 "NO size cap on the working folder (needs root to mount a tmpfs; files are capped at 256 MB each)")
    return "; ".join(parts)


class ProcessSandbox:
    name = "process"

    def __init__(self, isolate: bool = True, gpu="auto"):
        self.isolate = isolate
        self._gpu = gpu  # "auto": this worker's detector; None: never; a Gpu: that one (tests)

    @property
    def gpu(self):
        if self._gpu == "auto":
            from autograder.sandbox.gpu import detect

            self._gpu = detect()
        return self._gpu

    @property
    def gpu_name(self) -> str | None:
        return self.gpu.describe() if self.gpu else None

    def warm_up(self, *, limits: Limits, slots: int, modules: tuple[str, ...] | None = None) -> None:
        """Nothing to start ahead: each run is a fresh process (see ``Sandbox.warm_up``)."""

    def describe(self) -> str:
        if not self.isolate:
            return "trusted process (reference)"
        mode = bwrap_mode()
        if mode == "root":
            text = ("bubblewrap: private mount/PID/network namespaces, only the working directory "
                    "visible, unprivileged uid, resource limits")
        elif mode == "userns":
            text = ("bubblewrap (user namespace): private mount/PID/network namespaces, only the "
                    "working directory visible, resource limits")
        elif _setpriv_mode():
            text = ("NO NAMESPACES (bubblewrap cannot start here, e.g. Gradescope's container): the code "
                    "under test runs as an unprivileged uid with no capabilities, so it cannot read "
                    "root-only (0700) files or write outside its working directory; it shares the "
                    "network and sees other files this uid may read")
        else:
            text = ("NOT ISOLATED: resource limits only; bubblewrap is unavailable on this host, so the "
                    "code under test could read any file this user can read")
        return text + "; " + _wide_limits_note()

    def _command(self, workdir: Path, slot: int, gpu=None) -> tuple[list[str], dict, str]:
        python = sys.executable
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", **THREAD_ENV}
        mode = bwrap_mode() if self.isolate else None
        uid = BASE_UID + host_slot(slot)  # never shared with another grader on this host
        if mode is None:
            env.update(HOME=str(workdir), PYTHONPATH=str(PACKAGE_DIR.parent))
            cmd = [python, "-B", str(PACKAGE_DIR.parent / HARNESS)]
            if self.isolate and _setpriv_mode():
                # No namespaces (root without bubblewrap): at least an unprivileged uid, so files
                # that only root may read (the hidden reference, 0700) and write stay out of reach.
                _chown_tree(workdir, uid)
                cmd = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                       "--inh-caps=-all", "--bounding-set=-all"] + cmd
            return cmd, env, str(workdir)
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
        for node in (gpu.devices if gpu else ()):
            cmd += _parents(node) + ["--dev-bind-try", node, node]  # the GPU: device nodes only; driver libraries are under /usr
        if mode == "userns":
            cmd.insert(1, "--unshare-user")
            cmd += ["--cap-drop", "ALL"]
        else:
            _chown_tree(workdir, uid)
            cmd += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                    "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        env.update(HOME=SANDBOX_DIR, PYTHONPATH=LIB_DIR)
        cmd += [python, "-B", f"{LIB_DIR}/{HARNESS}"]
        return cmd, env, str(workdir)

    def run(self, *, workdir: Path, job: dict, limits: Limits, slot: int = 0) -> RunResult:
        workdir = Path(workdir)
        isolate = self.isolate
        cg = Cgroup.create(f"ag{os.getpid()}-{slot}-{new_token()}", memory_mb=limits.memory_mb,
                           pids=limits.pids if isolate else None, cpus=getattr(limits, "cpus", 1.0))
        disk = WorkdirDisk.make(workdir, limits)
        box_dir = disk.path if disk else workdir
        try:
            return self._run(box_dir, job, limits, slot, cg, disk, workdir)
        finally:
            if disk is not None:
                disk.close(workdir)
            if cg is not None:
                cg.remove()

    def _run(self, box_dir: Path, job: dict, limits: Limits, slot: int, cg, disk, workdir: Path) -> RunResult:
        gpu = self.gpu if getattr(limits, "gpu", False) else None
        cmd, env, cwd = self._command(box_dir, slot, gpu)
        isolate = self.isolate

        mem, cpu = limits.memory_mb * 1024 * 1024, int(limits.cpu_s)
        rlimits = [(resource.RLIMIT_CPU, cpu, cpu + 1),
                   (resource.RLIMIT_FSIZE, 256 << 20, 256 << 20), (resource.RLIMIT_CORE, 0, 0),
                   (resource.RLIMIT_NOFILE, 256, 256)]
        if gpu is None or cg is None:
            # CUDA maps far more address space than it uses: with a GPU passed in, the cgroup's
            # memory limit (resident memory of the whole sandbox) is the limit.
            rlimits.append((resource.RLIMIT_AS, mem, mem))
        if isolate:
            rlimits.append((resource.RLIMIT_NPROC, limits.pids, limits.pids))

        def limit():
            # Runs in the child before exec: the limits hold for everything it starts.
            if cg is not None:
                cg.join_self()
            for res, soft, hard in rlimits:
                resource.setrlimit(res, (soft, hard))

        t0 = time.monotonic()
        proc = None
        if not isolate and forkserver.enabled():
            # The trusted reference: forked from a server that has its imports loaded already.
            try:
                proc = forkserver.server(forkserver.preload_for(job), env).spawn(
                    cwd=cwd, env=env, harness=cmd[-1], rlimits=rlimits,
                    cgroup_procs=[str(f) for f in cg.procs_files()] if cg is not None else [])
            except OSError:
                proc = None  # spawned below, as without a server
        if proc is None:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    preexec_fn=limit, start_new_session=True)
        meter = cg if cg is not None else ProcTreeMeter(proc.pid)

        def send(data: bytes):
            proc.stdin.write(data)
            proc.stdin.flush()

        channel, _ = open_channel(job, send=send, meter=meter, t0=t0)
        reader = threading.Thread(target=_pump, args=(proc.stdout, channel), daemon=True)
        reader.start()
        err = CappedReader(proc.stderr, limits.output_kb * 1024)
        channel.send(split_job(job)[0])
        timed_out = False
        try:
            proc.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        cpu_total = meter.cpu_ns()
        # Kill the whole session (and cgroup) either way: nothing the code under test started outlives it.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if cg is not None:
            cg.kill()
        proc.wait()
        wall = time.monotonic() - t0
        try:
            proc.stdin.close()
        except OSError:
            pass
        reader.join(2.0)
        channel.close()
        stderr, truncated = err.text()
        rc = proc.returncode
        if rc is not None and 128 < rc <= 128 + 64 and cmd[0] == "bwrap":
            rc = -(rc - 128)  # bubblewrap reports its child's death by signal n as 128 + n
        events = cg.limit_events() if cg is not None else {"memory": 0, "pids": 0}
        reason = by = None
        if timed_out:
            reason = f"time limit ({limits.wall_s:g} s wall clock)"
        elif events["memory"]:
            reason = f"memory limit ({limits.memory_mb} MB for the whole sandbox)"
        elif rc == -signal.SIGXCPU or (rc == -signal.SIGKILL and cpu_total is not None
                                       and cpu_total / 1e9 >= limits.cpu_s):
            reason = f"CPU time limit ({limits.cpu_s:g} s)"
        elif disk is not None and disk.full():
            reason = f"disk limit ({disk.mb} MB working folder)"
        elif events["pids"] and rc not in (0, None):
            reason = f"pids limit ({limits.pids} processes and threads)"
        elif "MemoryError" in stderr or "Cannot allocate memory" in stderr:
            reason = f"memory limit ({limits.memory_mb} MB)"
        if reason:
            by = "limit"
        elif rc is not None and rc < 0:
            try:
                reason = f"killed by signal {signal.Signals(-rc).name}"
            except ValueError:
                reason = f"killed by signal {-rc}"
            by = "outside"
        enforced = (cg.limits_held() if cg is not None else []) + (["disk"] if disk is not None else [])
        return RunResult(sandbox=self.name if isolate else "trusted", isolation=self.describe(),
                         returncode=rc, wall_s=wall, timed_out=timed_out, killed_reason=reason,
                         killed_by=by, stderr=stderr, stderr_truncated=truncated,
                         markers=channel.markers, timed=channel.timed,
                         protocol_errors=channel.protocol_errors, meter=meter.kind,
                         cpu_s=None if cpu_total is None else cpu_total / 1e9,
                         limits_enforced=enforced, device=gpu.describe() if gpu else None)


def _pump(stream, channel) -> None:
    fd = stream.fileno()
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        channel.feed(chunk)


class WorkdirDisk:
    """A size-capped tmpfs for the sandbox's working folder (root only: mounted by the parent).

    The harness and the code under test work in it; afterwards ``out/`` is copied (links as links,
    which the reader refuses) into the caller's working directory and the tmpfs is unmounted. Where
    it cannot be mounted (not root), the working folder has no size cap beyond RLIMIT_FSIZE per
    file, and the isolation note says so."""

    def __init__(self, path: Path, mb: int):
        self.path, self.mb = path, mb

    @classmethod
    def make(cls, workdir: Path, limits: Limits) -> "WorkdirDisk | None":
        mb = int(getattr(limits, "disk_mb", 0) or 0)
        if not mb or os.geteuid() != 0 or not shutil.which("mount"):
            return None
        path = Path(tempfile.mkdtemp(prefix="ag-disk-"))
        if not mount_tmpfs(path, mb):
            path.rmdir()
            return None
        for child in workdir.iterdir():  # what the caller put there (usually nothing)
            if child.is_dir() and not child.is_symlink():
                shutil.copytree(child, path / child.name, symlinks=True)
            else:
                shutil.copy2(child, path / child.name, follow_symlinks=False)
        return cls(path, mb)

    def full(self) -> bool:
        return disk_full(self.path)

    def close(self, workdir: Path) -> None:
        out = self.path / "out"
        try:
            if out.is_symlink():
                os.symlink(os.readlink(out), workdir / "out")
            elif out.is_dir():
                shutil.copytree(out, workdir / "out", symlinks=True, dirs_exist_ok=True)
        except OSError:
            pass
        unmount(self.path)
        shutil.rmtree(self.path, ignore_errors=True)


def mount_tmpfs(path: Path, mb: int, uid: int | None = None) -> bool:
    """A size-capped tmpfs on ``path`` (root only); False where it cannot be mounted."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    opts = f"size={int(mb)}m,mode=0755,nosuid,nodev"
    if uid is not None:
        opts += f",uid={uid},gid={uid}"
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
                              capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def unmount(path: Path) -> None:
    for _ in range(20):
        try:
            if subprocess.run(["umount", str(path)], capture_output=True, timeout=20).returncode == 0:
                return
        except (OSError, subprocess.SubprocessError):
            pass
        if not os.path.ismount(path):
            return
        time.sleep(0.05)


def disk_full(path: Path) -> bool:
    """The capped working folder is (nearly) full: the run hit its disk limit."""
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < (1 << 20)
