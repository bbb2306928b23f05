"""The trusted fork server's own process (see ``autograder.sandbox.forkserver``). Run by path, so
that it imports nothing of the engine: only the modules it is told to preload.

    python -B _forkserver_main.py FD MODULE,MODULE,...

It preloads the modules, then forks one child per request read from the socket FD and reports each
child's exit status. It runs only the trusted reference; never code from a submission.
"""
import json
import os
import resource
import select
import signal
import socket
import sys
import traceback

MAX_MSG = 1 << 20


def _child(req: dict, fds: list[int]) -> None:
    """In the forked child: become the run that ``req`` describes, then run the harness."""
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # its own session: the grader kills the whole group, as with a spawned child
        for path in req.get("cgroup_procs") or []:
            with open(path, "w") as fh:
                fh.write(str(os.getpid()))
        for i, fd in enumerate(fds[:3]):
            os.dup2(fd, i)
        os.closerange(3, 1 << 16)  # the server's socket and wake-up pipe, the fds just received
        for res, soft, hard in req.get("rlimits") or []:
            resource.setrlimit(res, (soft, hard))
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req.get("env") or {})
        harness = req["harness"]
        sys.argv = [harness]
        sys.path[0] = os.path.dirname(harness)
        import runpy

        runpy.run_path(harness, run_name="__main__")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - said on the run's stderr, as a crashed interpreter would
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    for name in filter(None, (sys.argv[2] if len(sys.argv) > 2 else "").split(",")):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - not installed: the child imports (and fails) as usual
            pass
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sys.stdout.flush()
    sys.stderr.flush()

    def send(doc: dict) -> None:
        try:
            sock.send(json.dumps(doc).encode())
        except OSError:
            pass

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            send({"exit": pid, "status": status})

    while True:
        ready, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
            reap()
        if sock not in ready:
            continue
        try:
            msg, fds, _, _ = socket.recv_fds(sock, MAX_MSG, 8)
        except OSError:
            break
        if not msg:
            break  # the grader is gone
        req: dict = {}
        try:
            req = json.loads(msg)
            pid = os.fork()
        except Exception as exc:  # noqa: BLE001 - the grader falls back to spawning
            for fd in fds:
                os.close(fd)
            send({"id": req.get("id") if isinstance(req, dict) else None,
                  "error": f"{type(exc).__name__}: {exc}"})
            continue
        if pid == 0:
            _child(req, fds)
        for fd in fds:
            os.close(fd)
        send({"id": req.get("id"), "pid": pid})
        reap()
    os._exit(0)


if __name__ == "__main__":
    main()
