"""A fork server for the trusted reference runs: the interpreter and the reference's heavy imports
(NumPy, torch) are paid once per grader process, not once per run.

Why only the reference: a speed test measures the reference's baseline in every job, next to the
submission (``autograder.job.run_job``), so a torch topic paid ~1.8 s of CPU per job for
``import torch`` on the trusted side alone. The server is a child of the grader that preloads the
modules the reference and probes import, then forks one child per run; the child joins the run's
cgroup, sets the run's limits and file descriptors, and runs the same harness a spawned interpreter
would, so what the reference observes and how it is measured are unchanged (the meter is the run's
own cgroup, or its session from ``/proc``). The server never runs code from a submission, and holds
nothing but the preloaded public modules: the reference's source arrives with each run's job, on the
child's own stdin, after the fork.

Submissions are never forked from here: each runs in a fresh sandbox (bubblewrap or a container)
whose interpreter starts from nothing, so no state can cross from one student to the next.

``AUTOGRADER_FORKSERVER=0`` turns it off (every run is spawned). Any failure of the server (it
died, a fork failed) falls back to spawning for that run.
"""
from __future__ import annotations

import ast
import atexit
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

ENV = "AUTOGRADER_FORKSERVER"
SERVER = Path(__file__).with_name("_forkserver_main.py")
# Modules worth preloading: each costs 0.1-2 s to import. Anything else the child imports itself.
PRELOADABLE = ("numpy", "torch", "scipy", "sklearn")
REPLY_TIMEOUT_S = 30.0


def enabled() -> bool:
    return os.environ.get(ENV, "1") != "0"


def preload_for(job: dict) -> tuple[str, ...]:
    """The preloadable modules that the job's (trusted) cells and probes import at top level."""
    sources = [c.get("source", "") for c in job.get("cells") or [] if isinstance(c, dict)]
    return preload_for_sources(*sources, job.get("probes_source") or "")


def preload_for_sources(*sources: str) -> tuple[str, ...]:
    """The preloadable modules (NumPy always) that ``sources`` import at top level."""
    names = {"numpy"}
    for src in sources:
        if not isinstance(src, str):
            continue
        try:
            tree = ast.parse(src)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return tuple(sorted(n for n in names if n in PRELOADABLE))


class ForkedProcess:
    """The part of ``subprocess.Popen`` the process sandbox uses, for a child of the server."""

    def __init__(self, pid: int, stdin, stdout, stderr):
        self.pid = pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self._done = threading.Event()

    def _exited(self, status: int) -> None:
        try:
            self.returncode = os.waitstatus_to_exitcode(status)
        except ValueError:
            self.returncode = -9
        self._done.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired("forked reference run", timeout)
        return self.returncode


class ForkServer:
    def __init__(self, preload: tuple[str, ...], env: dict):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-B", str(SERVER), str(child.fileno()), ",".join(preload)],
                pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        finally:
            child.close()
        self.sock = parent
        self.alive = True
        self._lock = threading.Lock()
        self._next_id = 0
        self._replies: dict[int, tuple[threading.Event, dict]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._early: dict[int, int] = {}  # exits that arrived before their pid was handed out
        self._reader = threading.Thread(target=self._read, daemon=True, name="forkserver")
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                msg = self.sock.recv(1 << 16)
            except OSError:
                msg = b""
            if not msg:
                break
            try:
                doc = json.loads(msg)
            except ValueError:
                continue
            with self._lock:
                if "exit" in doc:
                    proc = self._children.pop(doc["exit"], None)
                    if proc is None:
                        self._early[doc["exit"]] = doc["status"]
                    else:
                        proc._exited(doc["status"])
                elif doc.get("id") in self._replies:
                    event, box = self._replies[doc["id"]]
                    box.update(doc)
                    event.set()
        # The server is gone: its children are orphans the grader can no longer wait for.
        with self._lock:
            self.alive = False
            for proc in self._children.values():
                proc._exited(9)  # as if killed: the run's own kill of its group has happened or will
            self._children.clear()
            for event, box in self._replies.values():
                box.setdefault("error", "the fork server stopped")
                event.set()

    def spawn(self, *, cwd: str, env: dict, harness: str, rlimits: list, cgroup_procs: list) -> ForkedProcess:
        """A child of the server running ``harness`` in ``cwd``; raises OSError if it cannot."""
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        event, box = threading.Event(), {}
        with self._lock:
            if not self.alive:
                for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
                    os.close(fd)
                raise OSError("the fork server stopped")
            self._next_id += 1
            ident = self._next_id
            self._replies[ident] = (event, box)
        req = {"id": ident, "cwd": cwd, "env": env, "harness": harness, "rlimits": rlimits,
               "cgroup_procs": cgroup_procs}
        try:
            socket.send_fds(self.sock, [json.dumps(req).encode()], [in_r, out_w, err_w])
        except OSError:
            for fd in (in_w, out_r, err_r):
                os.close(fd)
            raise
        finally:
            for fd in (in_r, out_w, err_w):
                os.close(fd)
        ok = event.wait(REPLY_TIMEOUT_S)
        with self._lock:
            self._replies.pop(ident, None)
            pid = box.get("pid") if ok else None
            if pid is not None:
                proc = ForkedProcess(pid, os.fdopen(in_w, "wb"), os.fdopen(out_r, "rb"),
                                     os.fdopen(err_r, "rb"))
                if pid in self._early:
                    proc._exited(self._early.pop(pid))
                else:
                    self._children[pid] = proc
                return proc
        for fd in (in_w, out_r, err_r):
            os.close(fd)
        raise OSError(box.get("error") or "the fork server did not answer")

    def close(self) -> None:
        # shutdown, not only close: the reply thread is blocked in recv on this socket, and a close
        # from another thread neither wakes it nor lets the server see EOF (it waited out the 5 s
        # below: every grading run ended 5 s late)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_servers: dict[tuple, ForkServer] = {}
_servers_lock = threading.Lock()


def server(preload: tuple[str, ...], env: dict) -> ForkServer:
    """This process's server for ``preload`` (started on first use, again if it died)."""
    env = {k: v for k, v in env.items() if k != "HOME"}  # HOME is per run; the child sets it
    key = (preload, tuple(sorted(env.items())))
    with _servers_lock:
        srv = _servers.get(key)
        if srv is None or not srv.alive:
            srv = _servers[key] = ForkServer(preload, env)
        return srv


@atexit.register
def _close_all() -> None:
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for srv in servers:
        srv.close()
