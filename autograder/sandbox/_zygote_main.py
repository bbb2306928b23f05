"""The warm Docker sandbox's zygote: PID 2 of a long-lived container (docker-init is PID 1), run
as root with only CAP_SETUID and CAP_SETGID. See ``autograder.sandbox.docker`` (warm mode).

    python3 -B _zygote_main.py MODULE,MODULE,...

It imports the heavy public modules once (NumPy, torch) and then, per job, lets one pre-forked
child become the run: the child drops to the sandbox uid and runs the ordinary harness on the
container's stdin/stdout. The zygote never runs code from a submission and reads nothing a
submission wrote except exit statuses; a submission's process cannot signal, trace or read it
(another uid, no capabilities).

Between jobs, a cleaner child (the sandbox uid) kills every process of that uid, empties /tmp,
/dev/shm and /dev/mqueue and removes System V IPC objects; the trusted host empties the working
folder. Only then does the zygote write the job's end marker, which carries a nonce the child
never had in memory (it was forked before the job's header arrived), so the run cannot forge the
end of its job; likewise the host's sync nonce ends whatever stale input is left on stdin.

Protocol (host -> zygote on stdin, between jobs only): a header ``len(4, big-endian) + JSON``
``{"end": hex, "sync": hex, "uid": int, "rlimits": [[res, soft, hard]...], "env": {...},
"stderr": path, "cwd": path}``; after the end marker, the host writes the ``sync`` nonce; the
zygote discards stdin up to it. Zygote -> host on the container's stderr (the run's stderr is a
file, so only the zygote writes there): ``\\0AGZ-READY-<sync>\\0`` when a child is ready (``0`` at
start), ``\\0AGZ-END-<end>\\0`` + one JSON line ``{"status": wait status, "cleaned": bool}`` after a
job; once the host's sync has arrived (the host scans stdout from then on), ``\\0AGZ-FLUSH-<end>\\0``
on stdout, behind everything the run wrote there.
"""
import json
import os
import resource
import select
import signal
import struct
import sys

MAX_HEADER = 1 << 16
UID = 61000


def _read_exact(n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = os.read(0, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _write(data: bytes, fd: int = 2) -> None:
    """The zygote's own messages go to the container's stderr, which no run can reach."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _wipe(path: str) -> None:
    """Remove everything under ``path`` (as the sandbox uid: every entry there is its own)."""
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for name in entries:
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                os.chmod(full, 0o700)
                _wipe(full)
                os.rmdir(full)
            else:
                os.unlink(full)
        except OSError:
            pass


def _alive_of(uid: int) -> list[int]:
    """Live (not zombie) processes of ``uid`` other than this one."""
    me, out = os.getpid(), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh.read(4096).splitlines() if ":" in line)
        except (OSError, ValueError):
            continue
        if fields.get("State", "").strip().startswith(("Z", "X")):
            continue
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            out.append(int(name))
    return out


def _cleaner(uid: int) -> None:
    """In a child: become the sandbox uid, kill all of its other processes, empty its places."""
    code = 1
    try:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        import time
        # kill(-1) reports success while any process it may not signal exists (init, the
        # zygote), so the proof that none is left is /proc: no live process of this uid but this.
        for _ in range(3000):  # a fork loop is bounded by the pids limit; SIGKILL wins
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if not _alive_of(uid):
                break
            time.sleep(0.001)
        else:
            os._exit(2)
        for place in ("/tmp", "/dev/shm", "/dev/mqueue"):
            _wipe(place)
        for kind, flag in (("shm", "-m"), ("sem", "-s"), ("msg", "-q")):
            try:
                with open(f"/proc/sysvipc/{kind}") as fh:
                    rows = fh.read(1 << 20).splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                parts = row.split()
                if len(parts) > 1:
                    pid = os.fork()
                    if pid == 0:
                        try:
                            os.execv("/usr/bin/ipcrm", ["ipcrm", flag, parts[1]])
                        finally:
                            os._exit(127)
                    os.waitpid(pid, 0)
        leftover = []
        for place in ("/tmp", "/dev/shm"):
            try:
                leftover += os.listdir(place)
            except OSError:
                pass
        code = 0 if not leftover else 3
    except BaseException:  # noqa: BLE001
        code = 4
    os._exit(code)


def _reseed() -> None:
    """A fresh process's generators start from the OS's entropy: so does each run here."""
    import random
    random.seed()
    for name, call in (("numpy", lambda m: m.random.seed()), ("torch", lambda m: m.seed())):
        mod = sys.modules.get(name)
        if mod is not None:
            try:
                call(mod)
            except Exception:  # noqa: BLE001
                pass


def _child(go_r: int, harness_main) -> None:
    """Pre-forked: wait for the job's settings, become the run, run the harness."""
    code = 70
    try:
        data = b""
        while True:
            chunk = os.read(go_r, MAX_HEADER)
            if not chunk:
                break
            data += chunk
        if not data:
            os._exit(0)  # the zygote is going away
        req = json.loads(data)
        os.close(go_r)
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)
        for res, soft, hard in req.get("rlimits") or []:
            resource.setrlimit(int(res), (int(soft), int(hard)))
        os.setgroups([])
        os.setgid(int(req["uid"]))
        os.setuid(int(req["uid"]))
        os.chdir(req["cwd"])
        fd = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        os.dup2(fd, 2)
        os.closerange(3, 1 << 16)
        _reseed()
        os.environ.clear()
        os.environ.update(req.get("env") or {})
        os.umask(0o022)
        harness_main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001
        try:
            import traceback
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    os._exit(code)


def _prefork(harness_main) -> tuple[int, int]:
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        _child(go_r, harness_main)
    os.close(go_r)
    return pid, go_w


def _discard_until(nonce: bytes) -> bool:
    tail = b""
    while True:
        ready, _, _ = select.select([0], [], [], 60)
        if not ready:
            return False
        chunk = os.read(0, 1 << 16)
        if not chunk:
            return False
        tail = (tail + chunk)[-(len(nonce) + (1 << 16)):]
        if tail.endswith(nonce):
            return True


def main() -> None:
    for name in filter(None, (sys.argv[1] if len(sys.argv) > 1 else "").split(",")):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - not installed: the run imports (and fails) as usual
            pass
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from autograder.runtime import harness  # public; the run's job arrives after the fork

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    pid, go_w = _prefork(harness.main)
    _write(b"\0AGZ-READY-0\0")
    while True:
        head = _read_exact(4)
        if head is None:
            break
        size = struct.unpack(">I", head)[0]
        if size > MAX_HEADER:
            break
        body = _read_exact(size)
        if body is None:
            break
        req = json.loads(body)
        end, sync = req.pop("end").encode(), req.pop("sync").encode()
        os.write(go_w, json.dumps(req).encode())
        os.close(go_w)
        _, status = os.waitpid(pid, 0)
        cleaner = os.fork()
        if cleaner == 0:
            _cleaner(int(req["uid"]))
        _, cstatus = os.waitpid(cleaner, 0)
        while True:  # orphans of the run were reparented to docker-init; anything left of ours
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        cleaned = os.WIFEXITED(cstatus) and os.WEXITSTATUS(cstatus) == 0
        _write(b"\0AGZ-END-" + end + b"\0" + json.dumps({"status": status, "cleaned": cleaned, "cleaner": cstatus}).encode() + b"\n")
        if not cleaned:
            break  # the host replaces this container
        if not _discard_until(sync):
            break
        _write(b"\0AGZ-FLUSH-" + end + b"\0", fd=1)  # behind everything the run wrote to stdout
        del req, end
        pid, go_w = _prefork(harness.main)
        _write(b"\0AGZ-READY-" + sync + b"\0")
    os._exit(0)


if __name__ == "__main__":
    main()
