"""Clean-up that cannot fail: removing a working folder whatever the code under test left in it,
and sweeping what a killed grader left behind (working folders, containers).

A submission controls the contents of its working folder: 3000 nested directories (deeper than
``shutil.rmtree``'s recursion and longer than PATH_MAX), directories without permissions, links,
FIFOs. :func:`remove_tree` works by file descriptor, never follows a link, hoists nested
directories to the top so that depth never matters, and never raises.

Working folders are named ``ag-<pid>-...`` (``ag-docker-<pid>-...`` for Docker) and containers
carry the label ``org.autograder.pid``: :func:`sweep` removes only what belongs to a grader
process that is no longer running, so two runs side by side never remove each other's folders.
"""
from __future__ import annotations

import os
import re
import secrets
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

PREFIX = "ag-"
LABEL = "org.autograder.sandbox"
PID_LABEL = "org.autograder.pid"
HOST_LABEL = "org.autograder.host"
_OWNED = re.compile(r"^ag-(?:docker-)?(\d+)-")


def workdir_prefix(kind: str = "") -> str:
    """Prefix of a working folder owned by this process (``ag-<pid>-`` or ``ag-docker-<pid>-``)."""
    return f"{PREFIX}{kind + '-' if kind else ''}{os.getpid()}-"


def _clear(top: int) -> None:
    """Empty the directory open as ``top``: files are unlinked, each sub-directory is emptied one
    level at a time by moving its own sub-directories up into ``top`` (so no depth is ever held)."""
    while True:
        with os.scandir(top) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        if not entries:
            return
        done = 0  # successful operations this pass: stop when a pass changes nothing
        for name, is_dir in entries:
            if not is_dir:
                try:
                    os.unlink(name, dir_fd=top)
                    done += 1
                except OSError:
                    pass
                continue
            try:
                os.chmod(name, 0o700, dir_fd=top)  # an unreadable or unwritable directory
            except OSError:
                pass
            try:
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
            except OSError:
                continue
            try:
                with os.scandir(sub) as it:
                    children = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
                for child, child_dir in children:
                    try:
                        if child_dir:
                            try:
                                os.chmod(child, 0o700, dir_fd=sub)
                            except OSError:
                                pass
                            os.rename(child, f".ag-{secrets.token_hex(8)}", src_dir_fd=sub,
                                      dst_dir_fd=top)
                        else:
                            os.unlink(child, dir_fd=sub)
                        done += 1
                    except OSError:
                        pass
            except OSError:
                pass
            finally:
                os.close(sub)
            try:
                os.rmdir(name, dir_fd=top)
                done += 1
            except OSError:
                pass
        if not done:
            return


def clear_dir(path: str | os.PathLike) -> bool:
    """Empty the directory ``path`` (kept itself). Never raises; True if it is empty."""
    try:
        top = os.open(str(path), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        _clear(top)
        with os.scandir(top) as it:
            return next(iter(it), None) is None
    except BaseException:  # noqa: BLE001
        return False
    finally:
        os.close(top)


def remove_tree(path: str | os.PathLike) -> bool:
    """Remove ``path`` and everything under it. Never raises; True if it is gone."""
    path = str(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            return True
        try:
            os.chmod(path, 0o700)
        except OSError:
            pass
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            _clear(top)
        finally:
            os.close(top)
        os.rmdir(path)
        return True
    except BaseException:  # noqa: BLE001 - clean-up must not fail; fall back to rm below
        pass
    try:
        subprocess.run(["rm", "-rf", "--one-file-system", "--", path], capture_output=True,
                       timeout=300)
    except BaseException:  # noqa: BLE001
        pass
    return not os.path.lexists(path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def sweep_folders(root: str | os.PathLike | None = None) -> list[str]:
    """Remove ``ag-<pid>-*`` working folders whose grader process is gone."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        m = _OWNED.match(name)
        if m and not _alive(int(m.group(1))):
            if os.path.ismount(root / name):  # a working folder's own tmpfs, still mounted
                try:
                    subprocess.run(["umount", "-l", str(root / name)], capture_output=True, timeout=30)
                except (OSError, subprocess.SubprocessError):
                    pass
            if remove_tree(root / name):
                removed.append(name)
    return removed


def sweep_containers(client) -> list[str]:
    """Remove sandbox containers of this host whose grader process is gone (``client``: a Docker
    SDK client). Containers without the pid label are from an older grader: removed once stopped."""
    removed = []
    try:
        found = client.api.containers(all=True, filters={"label": LABEL})
    except Exception:  # noqa: BLE001 - no daemon: nothing to sweep
        return removed
    host = socket.gethostname()
    for c in found:
        labels = c.get("Labels") or {}
        pid = labels.get(PID_LABEL)
        if labels.get(HOST_LABEL, host) != host:
            continue
        stale = (not _alive(int(pid))) if pid and pid.isdigit() else c.get("State") != "running"
        if stale:
            try:
                client.api.remove_container(c["Id"], force=True)
                removed.append(c["Id"][:12])
            except Exception:  # noqa: BLE001
                pass
    return removed


def labels() -> dict:
    """Labels of a sandbox container started by this process."""
    return {LABEL: "1", PID_LABEL: str(os.getpid()), HOST_LABEL: socket.gethostname()}


__all__ = ["remove_tree", "sweep_folders", "sweep_containers", "workdir_prefix", "labels"]
