"""Docker sandbox (production): one fresh container per submission, removed afterwards.

The container has no network, a read-only root, a small /tmp tmpfs, memory without swap, a
process-count cap, one CPU, an unprivileged uid, no capabilities and no-new-privileges. It sees only
the submission's working directory (``/sandbox``, read-write) and the public ``autograder`` package
(``/sandbox-lib/autograder``, read-only): nothing from reference/ or solutions/ is mounted. The job
(with the hidden probe source) goes over the attach socket on stdin and is never written to disk.

Each slot's next container is created and started (idle, blocked reading stdin) while the trusted
side judges the previous submission, so the container start is off the critical path; its own fresh
working directory is bind-mounted and ``out/`` is moved into the caller's ``workdir`` afterwards.
Containers are never reused: one per run, removed with its directory. ``AUTOGRADER_DOCKER_PRESTART=0``
starts each container only when its job arrives; unused started containers are removed at exit.

Warm mode (``AUTOGRADER_DOCKER_WARM=1`` or ``DockerSandbox(warm=True)``): one long-lived container
per slot whose zygote (``_zygote_main.py``) has imported the topic's heavy modules once (NumPy,
and torch where the topic's probes or reference import it) and forks a fresh child per
submission, so ``import torch`` (~1.8 s of CPU) is not paid per submission. ``warm_up`` starts
each slot's zygote while the grader reads the submissions (the executor's ``prepare``). The child
drops to the sandbox uid; the zygote never runs submission code. Between jobs every process of the
sandbox uid is killed, /tmp, /dev/shm, /dev/mqueue and System V IPC are emptied (by a cleaner as
that uid), and the host empties the working folder; the end of each job is a marker with a nonce
the run never held, so it cannot be forged; a job that times out or is not cleaned replaces the
container. What a run can still learn from an earlier one: nothing written (every writable place
is emptied), no process (all killed). What stays shared by design: the preloaded modules' code and
the zygote's memory as it was before any job (copy-on-write; nothing of a submission ever enters it).
``tests/sandbox/test_docker_warm.py`` checks that no state crosses.

This module is a thin adapter over the Docker SDK (``docker`` package); the engine never imports it
directly (see :func:`autograder.sandbox.get_sandbox`).
"""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import struct
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import PACKAGE_DIR, HARNESS, RunResult, open_channel
from autograder.sandbox.cgroup import Cgroup
from autograder.sandbox.process import disk_full, mount_tmpfs, unmount
from autograder.gpu import host_gpu
from autograder.sandbox import cleanup
from autograder.topics import Limits

SANDBOX_DIR = "/sandbox"
LIB_DIR = "/sandbox-lib"
UID = 61000
IMAGE_ENV = "AUTOGRADER_IMAGE"
DEFAULT_IMAGE = "autograder-grader:current"
THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}
MAX_MARKERS = 10_000
PRESTART_ENV = "AUTOGRADER_DOCKER_PRESTART"  # "0": start each container only when its job is ready
WARM_ENV = "AUTOGRADER_DOCKER_WARM"  # "1": one zygote container per slot (see the module's doc)
ZYGOTE = "sandbox/_zygote_main.py"
WARM_PRELOAD = "numpy,torch"
ERR_DIR = "/sandbox-stderr"
WARM_START_S = 180.0  # the zygote's imports, on a loaded host


def _why_stopped(*, limits: Limits, timed_out: bool, oom: bool, rc: int | None, wall: float,
                 stderr: str, disk_full: bool, outside, signal_by: str) -> tuple[str | None, str | None]:
    """(killed_reason, killed_by) of one run, first cause first: our time limit, the memory
    limit, a stop from outside (``outside()`` says why, or None), CPU time, the disk, memory seen
    in the run's stderr, any other signal (attributed to ``signal_by``); (None, None) when the
    run ended by itself."""
    if timed_out:
        return f"time limit ({limits.wall_s:g} s wall clock)", "limit"
    if oom:
        return f"memory limit ({limits.memory_mb} MB)", "limit"
    why = outside()
    if why:
        return why, "outside"
    if rc == -signal.SIGXCPU or (rc == -signal.SIGKILL and wall >= limits.cpu_s):
        return f"CPU time limit ({limits.cpu_s:g} s)", "limit"
    if disk_full or "No space left on device" in stderr:
        return f"disk limit ({int(getattr(limits, 'disk_mb', 0) or limits.tmpfs_mb)} MB working folder)", "limit"
    if "MemoryError" in stderr or "Cannot allocate memory" in stderr:
        return f"memory limit ({limits.memory_mb} MB)", "limit"
    if rc is not None and rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}", signal_by
        except ValueError:
            return f"killed by signal {-rc}", signal_by
    return None, None


class _Attach:
    """Reads the multiplexed attach stream: stdout lines are markers (timestamped with the parent's
    clock on arrival), stderr is kept up to ``cap`` bytes and the rest only counted."""

    def __init__(self, sock, cap: int):
        self.sock = sock
        self.cap = cap
        self.channel = None
        self.pending = bytearray()  # stdout before the channel is armed (nothing, normally)
        self.err = bytearray()
        self.dropped = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self, t0: float):
        self._thread.start()

    def arm(self, channel):
        """The run's channel (the harness writes nothing before its job arrives)."""
        with self._lock:
            self.channel = channel
            data, self.pending = bytes(self.pending), bytearray()
        if data:
            channel.feed(data)

    def _recv_exact(self, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(min(n - len(buf), 1 << 16))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _read(self):
        try:
            while True:
                head = self._recv_exact(8)
                if head is None:
                    break
                stream, size = head[0], struct.unpack(">I", head[4:8])[0]
                data = self._recv_exact(size) if size else b""
                if data is None:
                    break
                if stream == 1:
                    self._stdout(data)
                elif stream == 2:
                    self._stderr(data)
        finally:
            self._closed()

    def _stderr(self, data: bytes):
        room = self.cap - len(self.err)
        if room > 0:
            self.err += data[:room]
        self.dropped += max(0, len(data) - max(room, 0))

    def _closed(self):
        """The stream ended (the container exited or the socket closed)."""

    def _stdout(self, data: bytes):
        with self._lock:
            channel = self.channel
            if channel is None:
                if len(self.pending) < 1 << 20:
                    self.pending += data
                return
        channel.feed(data)

    def join(self, timeout=2.0):
        self._thread.join(timeout)

    def text(self) -> tuple[str, bool]:
        return self.err.decode("utf-8", "replace"), self.dropped > 0


class _WarmAttach(_Attach):
    """The attach stream of a warm container. The zygote speaks on the container's stderr, which
    no run can reach (a run's stderr is its own file); stdout is the current run's channel. After
    a job the zygote says ``END <nonce> {status}`` on stderr, then writes ``FLUSH <nonce>`` on
    stdout behind whatever the run wrote: stdout up to it is the run's, and the run (dead by then,
    and never holding the nonce) cannot forge either."""

    MAX_CTL = 1 << 16

    def __init__(self, sock, cap: int):
        super().__init__(sock, cap)
        self.buf = bytearray()  # stdout held back while looking for the flush marker
        self.ctl = bytearray()  # the zygote's own messages (container stderr)
        self.end_marker: bytes | None = None
        self.flush_marker: bytes | None = None
        self.ready_marker: bytes | None = b"\0AGZ-READY-0\0"
        self.end_seen = threading.Event()  # the zygote's end marker (container stderr)
        self.ended = threading.Event()  # the flush marker: all of the run's stdout is in
        self.ready = threading.Event()
        self.end_doc: dict | None = None
        self.closed = threading.Event()

    def expect(self, *, end: str) -> None:
        with self._lock:
            self.end_marker = b"\0AGZ-END-" + end.encode() + b"\0"
            self.flush_marker, self.end_doc = None, None
            self.buf.clear()
            self.end_seen.clear()
            self.ended.clear()

    def expect_flush(self, end: str) -> None:
        """From now on (the run is dead) stdout is scanned for the flush marker, which the
        zygote writes only after the sync that the caller sends next."""
        with self._lock:
            self.flush_marker = b"\0AGZ-FLUSH-" + end.encode() + b"\0"

    def expect_ready(self, sync: str) -> None:
        with self._lock:
            self.ready_marker = b"\0AGZ-READY-" + sync.encode() + b"\0"
            self.ready.clear()

    def disarm(self) -> None:
        with self._lock:
            self.channel = None

    def _closed(self):
        self.closed.set()
        self.end_seen.set()
        self.ended.set()
        self.ready.set()

    def _stderr(self, data: bytes) -> None:
        # the container's stderr is the zygote's control stream (a run's stderr is a file)
        import json

        with self._lock:
            self.ctl += data
            if len(self.ctl) > self.MAX_CTL:
                del self.ctl[:-self.MAX_CTL]
            if self.end_marker and self.end_marker in self.ctl:
                i = self.ctl.index(self.end_marker) + len(self.end_marker)
                j = self.ctl.find(b"\n", i)
                if j >= 0:
                    try:
                        doc = json.loads(bytes(self.ctl[i:j]))
                    except ValueError:
                        doc = {}
                    self.end_doc = doc if isinstance(doc, dict) else {}
                    self.end_marker = None
                    del self.ctl[:j + 1]
                    self.end_seen.set()
            if self.ready_marker and self.ready_marker in self.ctl:
                del self.ctl[:self.ctl.index(self.ready_marker) + len(self.ready_marker)]
                self.ready_marker = None
                self.ready.set()

    def _stdout(self, data: bytes):
        with self._lock:
            if self.flush_marker is None:
                if self.channel is not None:  # the run is going: all of it is the run's
                    self.channel.feed(data)
                return
            self.buf += data
            self._scan_flush()

    def _scan_flush(self) -> None:
        """After the end marker: the run's stdout up to the flush marker, then the job is over."""
        marker = self.flush_marker
        if marker is None:
            return
        i = self.buf.find(marker)
        if i < 0:
            keep = len(marker) - 1  # the run is dead: holding back cannot stall it
            n = max(0, len(self.buf) - keep)
            if n and self.channel is not None:
                self.channel.feed(bytes(self.buf[:n]))
            del self.buf[:n]
            return
        if i and self.channel is not None:
            self.channel.feed(bytes(self.buf[:i]))
        del self.buf[:i + len(marker)]
        self.buf.clear()
        self.flush_marker = None
        self.channel = None
        self.ended.set()


@dataclass
class _Warm:
    """A slot's long-lived zygote container (warm mode)."""

    limits: Limits
    cid: str
    sock: object
    reader: _WarmAttach
    dir: Path
    disk: bool = False
    runs: int = 0
    errdir: Path | None = None  # the run's stderr, on its own small tmpfs (not the disk quota)
    errdisk: bool = False


@dataclass
class _Started:
    """A fresh container, started and blocked reading its job; used for exactly one submission."""

    limits: Limits
    cid: str
    sock: object
    reader: _Attach
    dir: Path
    disk: bool = False  # a size-capped tmpfs is mounted on dir


class DockerSandbox:
    name = "docker"

    def __init__(self, client, image: str, gpu_name: str | None = None, prestart: bool | None = None,
                 warm: bool | None = None):
        self.client = client
        self.image = image
        self.gpu_name = gpu_name
        self.warm = os.environ.get(WARM_ENV, "0") == "1" if warm is None else warm
        self.name = "docker-warm" if self.warm else "docker"
        self._warm: dict[int, _Warm] = {}
        # Start the next slot's container while the trusted side judges the last submission: the
        # container start (runc, ~0.3-0.5 s) leaves the critical path. Nothing is shared between
        # submissions: each container, and its own working directory, serves one run only.
        self.prestart = os.environ.get(PRESTART_ENV, "1") != "0" if prestart is None else prestart
        self._next: dict[int, object] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._warming: dict[int, object] = {}  # slot -> future of a zygote started by warm_up
        atexit.register(self.close)

    def close(self) -> None:
        """Remove the containers started ahead and not used, and the warm ones."""
        with self._lock:
            pending, self._next = list(self._next.values()), {}
            warm, self._warm = list(self._warm.values()), {}
            warming, self._warming = list(self._warming.values()), {}
        for box in warm:
            self._discard_warm(box)
        for fut, discard in [(f, self._discard) for f in pending] + [(f, self._discard_warm) for f in warming]:
            if fut.cancel():
                continue  # never started
            try:
                discard(fut.result(timeout=60))
            except Exception:  # noqa: BLE001
                pass

    def warm_up(self, *, limits: Limits, slots: int, modules: tuple[str, ...] | None = None) -> None:
        """Start each slot's first container (warm mode: its zygote) in the background now, while
        the grader reads the submissions and runs the reference, instead of on the first run's
        critical path. ``modules``: what the zygote imports ahead (the topic's own imports; by
        default NumPy and torch). Never raises; a start that fails is retried by the run that needs it."""
        for slot in range(max(0, int(slots))):
            if not self.warm:
                with self._lock:
                    have = slot in self._next
                if not have:
                    self._start_next(slot, limits)
                continue
            if modules is not None:
                from autograder.sandbox.forkserver import PRELOADABLE

                modules = tuple(m for m in modules if m in PRELOADABLE)
            with self._lock:
                if slot in self._warm or slot in self._warming:
                    continue
                self._warming[slot] = self._starter().submit(self._start_warm, limits, modules)

    def _starter(self) -> ThreadPoolExecutor:
        # callers hold self._lock or are the only thread starting containers
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="docker-start")
        return self._pool

    @classmethod
    def connect(cls, image: str | None = None, warm: bool | None = None) -> "DockerSandbox":
        """Raises when no daemon answers or the grading image is not built."""
        import docker

        client = docker.from_env(timeout=120)
        client.ping()
        image = image or os.environ.get(IMAGE_ENV) or DEFAULT_IMAGE
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            raise RuntimeError(f"the grading image {image} is not built; run `autograder image build`") from None
        gpu = None
        name = host_gpu()
        if name:
            runtimes = (client.info().get("Runtimes") or {})
            # The NVIDIA container toolkit registers a runtime (or CDI devices); without it a
            # device request fails at start, so only claim a GPU when one can be passed in.
            if "nvidia" in runtimes or shutil.which("nvidia-container-runtime-hook") \
                    or shutil.which("nvidia-container-cli"):
                gpu = name
        return cls(client, image, gpu, warm=warm)

    def describe(self) -> str:
        if self.warm:
            return ("docker (warm): per slot, a container whose zygote forks a fresh process per "
                    "submission under an unprivileged uid; every process of that uid killed and every "
                    "writable place emptied between submissions; no network, read-only root, no "
                    "capabilities, memory/pid/CPU limits, only the working directory visible")
        return ("docker: fresh container per submission, no network, read-only root, unprivileged uid, "
                "no capabilities, memory/pid/CPU limits, only the working directory visible")

    def _prepare(self, workdir: Path):
        # The container's uid must be able to write out/ in the bind-mounted working directory.
        os.chown(workdir, UID, UID)
        os.chmod(workdir, 0o755)
        for p in workdir.rglob("*"):
            os.lchown(p, UID, UID)

    def _config(self, workdir: Path, limits: Limits, warm: bool = False, errdir: Path | None = None,
                modules: tuple[str, ...] | None = None) -> dict:
        import docker

        cpus = float(getattr(limits, "cpus", 1.0) or 1.0)
        env = self._config_env()
        cpu = int(limits.cpu_s)
        host = dict(
            network_mode="none",
            mem_limit=f"{limits.memory_mb}m", memswap_limit=f"{limits.memory_mb}m",  # no swap
            pids_limit=int(limits.pids),
            nano_cpus=int(cpus * 1e9),
            read_only=True,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={int(limits.tmpfs_mb)}m,mode=1777"},
            security_opt=["no-new-privileges"],
            cap_drop=["ALL"],
            ipc_mode="private",
            init=True,  # docker-init as PID 1: reaps what the code under test leaves behind
            binds={str(workdir): {"bind": SANDBOX_DIR, "mode": "rw"},
                   str(PACKAGE_DIR): {"bind": f"{LIB_DIR}/autograder", "mode": "ro"}},
            ulimits=[docker.types.Ulimit(name="cpu", soft=cpu, hard=cpu + 1),
                     docker.types.Ulimit(name="fsize", soft=256 << 20, hard=256 << 20),
                     docker.types.Ulimit(name="core", soft=0, hard=0),
                     docker.types.Ulimit(name="nofile", soft=256, hard=256)],
            # Output goes over the attach stream only: a flood of prints must not fill the disk.
            log_config=docker.types.LogConfig(type="none"),
        )
        if limits.gpu and self.gpu_name:
            host["device_requests"] = [docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])]
        if warm:
            # The zygote is root in the container with only what it needs to drop to the sandbox
            # uid; each run gets its own CPU-time limit from the zygote (per process), not here.
            host["cap_add"] = ["SETUID", "SETGID"]
            host["ulimits"] = [u for u in host["ulimits"] if u["Name"] != "cpu"]
            host = self.client.api.create_host_config(**{**host, "binds": {
                **host["binds"], str(errdir): {"bind": ERR_DIR, "mode": "rw"}}})
            return dict(
                image=self.image,
                command=["python3", "-B", f"{LIB_DIR}/autograder/{ZYGOTE}",
                         WARM_PRELOAD if modules is None else ",".join(modules)],
                working_dir="/", user="0:0", environment=env,
                stdin_open=True, tty=False, detach=False,
                volumes=[SANDBOX_DIR, f"{LIB_DIR}/autograder", ERR_DIR],
                labels=cleanup.labels(),
                host_config=host,
            )
        # The low-level call: with stdin_open and detach=False the SDK sets StdinOnce, so closing
        # our end of the attach socket is the harness's end of input.
        return dict(
            image=self.image,
            command=["python3", "-B", f"{LIB_DIR}/{HARNESS}"],
            working_dir=SANDBOX_DIR,
            user=f"{UID}:{UID}",
            environment=env,
            stdin_open=True, tty=False, detach=False,
            volumes=[SANDBOX_DIR, f"{LIB_DIR}/autograder"],
            labels=cleanup.labels(),  # the sandbox label and this grader's pid: swept after a crash
            host_config=self.client.api.create_host_config(**host),
        )

    def _start(self, limits: Limits) -> _Started:
        own = Path(tempfile.mkdtemp(prefix=cleanup.workdir_prefix("docker")))
        # The working folder: a size-capped tmpfs mounted by the host (root), so a submission that
        # fills it fails with "disk limit" instead of filling the host's disk.
        disk = mount_tmpfs(own, int(getattr(limits, "disk_mb", 0) or limits.tmpfs_mb), uid=UID)
        self._prepare(own)
        api = self.client.api
        cid = None
        try:
            cid = api.create_container(**self._config(own, limits))["Id"]
            sock = api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            raw = getattr(sock, "_sock", sock)
            reader = _Attach(raw, limits.output_kb * 1024)
            api.start(cid)
            reader.start(time.monotonic())
            return _Started(limits, cid, raw, reader, own, disk)
        except BaseException:
            self._discard(_Started(limits, cid, None, None, own, disk))
            raise

    def _discard(self, started: _Started | None) -> None:
        if started is None:
            return
        if started.sock is not None:
            try:
                started.sock.close()
            except OSError:
                pass
        if started.cid:
            try:
                self.client.api.remove_container(started.cid, force=True)
            except Exception:  # noqa: BLE001
                pass
        if started.disk:
            unmount(started.dir)
        cleanup.remove_tree(started.dir)  # whatever the submission left there; never raises

    def _take(self, slot: int, limits: Limits) -> _Started:
        with self._lock:
            fut = self._next.pop(slot, None)
        if fut is not None:
            try:
                started = fut.result(timeout=120)
            except Exception:  # noqa: BLE001 - start a new one below
                started = None
            if started is not None:
                try:
                    ok = started.limits == limits and \
                        self.client.api.inspect_container(started.cid)["State"].get("Running")
                except Exception:  # noqa: BLE001
                    ok = False
                if ok:
                    return started
                self._discard(started)
        return self._start(limits)

    def _start_next(self, slot: int, limits: Limits) -> None:
        with self._lock:
            old = self._next.pop(slot, None)
            self._next[slot] = self._starter().submit(self._start, limits)
        if old is not None:
            try:
                self._discard(old.result(timeout=60))
            except Exception:  # noqa: BLE001
                pass

    def run(self, *, workdir: Path, job: dict, limits: Limits, slot: int = 0) -> RunResult:
        import docker
        import requests

        workdir = Path(workdir)
        if self.warm:
            return self._run_warm(workdir=workdir, job=job, limits=limits, slot=slot)
        started = self._take(slot, limits)
        api, cid, raw, reader = self.client.api, started.cid, started.sock, started.reader
        # The container's own cgroup, read from the host: CPU time and memory of everything in it.
        cg = Cgroup.find(cid)
        cg_events: dict = {}
        try:
            t0 = time.monotonic()
            channel, public = open_channel(job, send=raw.sendall, meter=cg, t0=t0)
            reader.arm(channel)
            channel.send(public)  # stdin stays open: the channel drives the timed probes over it
            timed_out = False
            try:
                status = api.wait(cid, timeout=max(0.1, limits.wall_s - (time.monotonic() - t0)))
                rc = status.get("StatusCode")
            except requests.exceptions.ReadTimeout:
                timed_out = True
                rc = None
            except requests.exceptions.ConnectionError as exc:
                # The daemon went away (ReadTimeout above is the time limit): a grader fault.
                if "timed out" not in str(exc).lower():
                    raise
                timed_out = True
                rc = None
            if timed_out:
                try:
                    api.kill(cid)
                except docker.errors.APIError:
                    pass
                rc = api.wait(cid, timeout=30).get("StatusCode")
            wall = time.monotonic() - t0
            cpu_total = cg.cpu_ns() if cg is not None else None
            reader.join()
            channel.close()
            if cpu_total is None:
                cpu_total = channel.cpu_ns_at_done
            state = api.inspect_container(cid).get("State", {})
            stderr, truncated = reader.text()
            # The observations, into the caller's working directory (a planted link is moved as a
            # link, and the reader refuses links).
            out = started.dir / "out"
            full = started.disk and disk_full(started.dir)
            try:
                if out.is_symlink():
                    os.symlink(os.readlink(out), workdir / "out")
                elif out.is_dir():
                    shutil.copytree(out, workdir / "out", symlinks=True, dirs_exist_ok=True)
            except OSError:
                pass
        finally:
            if cg is not None:
                try:  # the kernel's own count: an OOM kill of a child of docker-init leaves
                    cg_events = cg.limit_events()  # State.OOMKilled false on cgroup v2
                except Exception:  # noqa: BLE001
                    cg_events = {}
                cg.remove()  # not ours: only closes what was opened
            self._discard(started)
            if self.prestart:
                self._start_next(slot, limits)
        oom = bool(state.get("OOMKilled")) or bool(cg_events.get("memory"))
        if rc is not None and rc > 128:
            rc = -(rc - 128)  # died by a signal (docker-init reports 128 + n), as subprocess does

        def outside():
            # `docker kill`/`stop` (by anyone but us: our own kill is the time limit)
            if rc is not None and rc < 0 and self._killed_from_outside(cid, t0):
                return f"killed from outside the sandbox (signal {-rc})"
            return None

        reason, by = _why_stopped(limits=limits, timed_out=timed_out, oom=oom, rc=rc, wall=wall,
                                  stderr=stderr, disk_full=full, outside=outside, signal_by="outside")
        return RunResult(sandbox=self.name, isolation=self.describe(), returncode=rc, wall_s=wall,
                         timed_out=timed_out, killed_reason=reason, killed_by=by, stderr=stderr,
                         stderr_truncated=truncated, markers=channel.markers,
                         device=self.gpu_name if limits.gpu else None, timed=channel.timed,
                         protocol_errors=channel.protocol_errors,
                         meter=cg.kind + " (the container's)" if cg is not None else "none",
                         cpu_s=None if cpu_total is None else cpu_total / 1e9,
                         limits_enforced=["memory", "pids", "CPU", "disk"])

    # --- warm mode ---------------------------------------------------------------------------
    def _start_warm(self, limits: Limits, modules: tuple[str, ...] | None = None) -> _Warm:
        own = Path(tempfile.mkdtemp(prefix=cleanup.workdir_prefix("docker")))
        disk = mount_tmpfs(own, int(getattr(limits, "disk_mb", 0) or limits.tmpfs_mb), uid=UID)
        self._prepare(own)
        err = Path(tempfile.mkdtemp(prefix=cleanup.workdir_prefix("docker")))
        # 64 MB: what is printed beyond the report's cap is only counted; past this, writes fail
        errdisk = mount_tmpfs(err, 64, uid=UID)
        self._prepare(err)
        api = self.client.api
        cid = None
        try:
            cid = api.create_container(**self._config(own, limits, warm=True, errdir=err,
                                                      modules=modules))["Id"]
            sock = api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            raw = getattr(sock, "_sock", sock)
            reader = _WarmAttach(raw, 64 * 1024)
            api.start(cid)
            reader.start(time.monotonic())
            box = _Warm(limits, cid, raw, reader, own, disk, errdir=err, errdisk=errdisk)
            if not reader.ready.wait(WARM_START_S) or reader.closed.is_set():
                text, _ = reader.text()
                raise RuntimeError(f"the warm sandbox did not start: {text[-500:]}")
            return box
        except BaseException:
            self._discard_warm(_Warm(limits, cid, None, None, own, disk, errdir=err, errdisk=errdisk))
            raise

    def _discard_warm(self, box: _Warm) -> None:
        self._discard(box)
        if box.errdir is not None:
            if box.errdisk:
                unmount(box.errdir)
            cleanup.remove_tree(box.errdir)

    def _warm_box(self, slot: int, limits: Limits, modules: tuple[str, ...] | None = None) -> _Warm:
        with self._lock:
            box = self._warm.pop(slot, None)
            fut = self._warming.pop(slot, None)
        if fut is not None:
            try:
                started = fut.result(timeout=120)
            except Exception:  # noqa: BLE001 - started again below
                started = None
            if box is None:
                box = started
            elif started is not None:
                self._discard_warm(started)
        if box is not None and (box.limits != limits or box.reader.closed.is_set()):
            self._discard_warm(box)
            box = None
        return box if box is not None else self._start_warm(limits, modules)

    def _run_warm(self, *, workdir: Path, job: dict, limits: Limits, slot: int) -> RunResult:
        import json
        import resource
        import secrets

        from autograder.sandbox.forkserver import preload_for

        modules = preload_for(job)  # only when this slot's zygote starts now, not ahead
        box = self._warm_box(slot, limits, modules)
        raw, reader = box.sock, box.reader
        if not reader.ready.wait(60) or reader.closed.is_set():
            self._discard_warm(box)
            box = self._start_warm(limits, modules)
            raw, reader = box.sock, box.reader
        keep = False
        channel = None
        try:
            for folder in (box.dir, box.errdir):
                if not cleanup.clear_dir(folder):
                    raise RuntimeError("the warm sandbox's working folder could not be emptied")
                os.chown(folder, UID, UID)
                os.chmod(folder, 0o755)
            cg = Cgroup.find(box.cid)
            cpu0 = cg.cpu_ns() if cg is not None else None
            ev0 = cg.limit_events() if cg is not None else {}
            end, sync = secrets.token_hex(16), secrets.token_hex(16)
            cpu = int(limits.cpu_s)
            env = self._config_env()
            header = json.dumps({
                "end": end, "sync": sync, "uid": UID, "cwd": SANDBOX_DIR,
                "stderr": f"{ERR_DIR}/stderr", "env": env,
                "rlimits": [[resource.RLIMIT_CPU, cpu, cpu + 1],
                            [resource.RLIMIT_FSIZE, 256 << 20, 256 << 20],
                            [resource.RLIMIT_CORE, 0, 0], [resource.RLIMIT_NOFILE, 256, 256]],
            }).encode()
            reader.expect(end=end)
            t0 = time.monotonic()
            channel, public = open_channel(job, send=raw.sendall, meter=cg, t0=t0)
            with reader._lock:
                reader.channel = channel
            raw.sendall(struct.pack(">I", len(header)) + header)
            channel.send(public)
            got_end = reader.end_seen.wait(max(0.1, limits.wall_s))
            wall = time.monotonic() - t0
            with channel._send_lock:  # nothing of this run may reach the next one's stdin
                channel._send_raw = lambda _data: None
            doc = reader.end_doc if got_end and not reader.closed.is_set() else None
            timed_out = not got_end
            finished = False
            if doc is not None and doc.get("cleaned") is True:
                # The zygote answers the sync with the flush marker on stdout (behind the run's
                # last bytes), then prepares the next run and says ready.
                reader.expect_flush(end)
                reader.expect_ready(sync)
                raw.sendall(sync.encode())
                finished = reader.ended.wait(30) and not reader.closed.is_set()
            elif doc is not None:
                reader.closed.wait(10)  # it exits: its stdout ends with the run's last bytes
            reader.disarm()
            channel.close()
            cpu_total = (cg.cpu_ns() - cpu0) if cg is not None and cpu0 is not None else None
            if cpu_total is None:
                cpu_total = channel.cpu_ns_at_done
            events = cg.limit_events() if cg is not None else {}
            oom = events.get("memory", 0) > ev0.get("memory", 0)
            stderr, truncated = self._warm_stderr(box.errdir, limits.output_kb * 1024)
            out = box.dir / "out"
            try:
                if out.is_symlink():
                    os.symlink(os.readlink(out), workdir / "out")
                elif out.is_dir():
                    shutil.copytree(out, workdir / "out", symlinks=True, dirs_exist_ok=True)
            except OSError:
                pass
            full = box.disk and disk_full(box.dir)
            # Emptied now, by the trusted side, so that nothing this run wrote waits for the next
            # (a folder that cannot be emptied retires the container).
            if finished and cleanup.clear_dir(box.dir) and cleanup.clear_dir(box.errdir):
                keep = True
            if cg is not None:
                cg.remove()
        finally:
            if keep:
                box.runs += 1
                with self._lock:
                    self._warm[slot] = box
            else:
                self._discard_warm(box)  # a run that timed out, or a zygote that could not clean
        rc = None
        if doc is not None and isinstance(doc.get("status"), int):
            try:
                rc = os.waitstatus_to_exitcode(doc["status"])
            except ValueError:
                rc = None
        # A signal: inside a warm container nothing but the run itself can send one.
        reason, by = _why_stopped(
            limits=limits, timed_out=timed_out, oom=oom, rc=rc, wall=wall, stderr=stderr,
            disk_full=full, signal_by="limit",
            outside=lambda: "the warm sandbox stopped during the run" if doc is None else None)
        return RunResult(sandbox=self.name, isolation=self.describe(), returncode=rc, wall_s=wall,
                         timed_out=timed_out, killed_reason=reason, killed_by=by, stderr=stderr,
                         stderr_truncated=truncated, markers=channel.markers,
                         device=self.gpu_name if limits.gpu else None, timed=channel.timed,
                         protocol_errors=channel.protocol_errors,
                         meter=cg.kind + " (the container's)" if cg is not None else "none",
                         cpu_s=None if cpu_total is None else cpu_total / 1e9,
                         limits_enforced=["memory", "pids", "CPU", "disk"])

    @staticmethod
    def _config_env() -> dict:
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", "HOME": SANDBOX_DIR,
                "PYTHONPATH": LIB_DIR, "MPLCONFIGDIR": "/tmp/matplotlib", **THREAD_ENV}

    @staticmethod
    def _warm_stderr(folder: Path, cap: int) -> tuple[str, bool]:
        from autograder.probe import read_head

        head = read_head(folder / "stderr", max(0, cap))
        return (head[0].decode("utf-8", "replace"), head[1]) if head is not None else ("", False)

    def _killed_from_outside(self, cid: str, t0: float) -> bool:
        """Did the daemon record a kill of this container (``docker kill``/``stop``, a daemon
        shutting down)? Nothing inside the container makes that event; our own time-limit kill is
        handled before this is asked."""
        since = int(time.time() - (time.monotonic() - t0)) - 2
        try:
            for ev in self.client.api.events(since=since, until=int(time.time()) + 1, decode=True,
                                             filters={"container": cid, "event": "kill"}):
                if ev:
                    return True
        except Exception:  # noqa: BLE001 - no answer: not proven outside
            return False
        return False

    @staticmethod
    def is_outage(exc: BaseException) -> bool:
        """Is ``exc`` the engine being unreachable (daemon stopped, socket gone) rather than a
        submission's doing? The grading loop stops starting new submissions on an outage."""
        import docker
        import requests

        return isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError,
                                docker.errors.DockerException)) and not isinstance(
            exc, docker.errors.ImageNotFound)
