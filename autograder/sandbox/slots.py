"""Host-wide sandbox slots. Each parallel slot of the process sandbox runs as its own uid, so that
per-uid accounting (RLIMIT_NPROC counts every task of a uid on the whole host, and the kernel refuses
``execve`` after ``setuid`` into a uid that is over it) is per sandbox. Two grader processes on one
host (two courses, a re-run beside a batch, Ray workers) must therefore never use the same uid at
the same time: a slot is leased through an exclusive lock on a file, held for the life of the
process and released by the kernel when it ends, however it ends."""
from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from pathlib import Path

MAX_SLOTS = 256
_held: dict[int, tuple[int, object]] = {}  # this process's slot -> (host slot, open lock file)
_lock = threading.Lock()
_pid = os.getpid()


def _dir() -> Path:
    d = Path(os.environ.get("AUTOGRADER_SLOT_DIR") or Path(tempfile.gettempdir()) / "autograder-slots")
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


def host_slot(slot: int) -> int:
    """The host-wide slot this process uses for its own ``slot`` (leased on first use)."""
    global _pid
    with _lock:
        if os.getpid() != _pid:  # a forked child holds none of its parent's leases
            _held.clear()
            _pid = os.getpid()
        if slot in _held:
            return _held[slot][0]
        d = _dir()
        taken = {k for k, _ in _held.values()}
        # Start the search at the slot itself: a lone grader keeps uid BASE + slot, as before.
        for k in [slot] + [k for k in range(MAX_SLOTS) if k != slot]:
            if k in taken:
                continue
            f = open(d / f"{k}.lock", "w")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                continue
            _held[slot] = (k, f)
            return k
    raise RuntimeError(f"no free sandbox slot on this host (all {MAX_SLOTS} are leased)")
