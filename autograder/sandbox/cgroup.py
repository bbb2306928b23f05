"""The kernel's accounting of a whole sandbox, read from outside it, and the sandbox-wide limits.

A :class:`Meter` answers, at any moment, how much CPU time every thread and child process of one
sandbox has used so far (``cpu_ns``), how much memory it holds now (``mem_current``) and its peak
since the last ``reset_peak``. The parent reads it around each timed call; nothing the code under
test can reach changes what it reads. Three kinds, best first:

* ``CgroupMeter`` over a per-sandbox cgroup the parent creates (``Cgroup.create``) or a container's
  cgroup (``Cgroup.find``): cgroup v2 (``cpu.stat`` usage_usec, ``memory.current``/``memory.peak``)
  or v1 (``cpuacct.usage`` in ns, ``memory.usage_in_bytes``/``memory.max_usage_in_bytes``). The
  same cgroup carries the limits: ``memory`` (no swap), ``pids``, a CPU quota; OOM kills and pid
  refusals are counted by the kernel (``limit_events``).
* ``ProcTreeMeter`` where no cgroup can be made (no root, no delegation): the sum over the
  sandbox's session of every thread's ``/proc/<pid>/task/<tid>/schedstat`` (ns) plus reaped
  children's ``cutime``/``cstime`` (clock ticks), and the sum of resident sizes. A process that
  leaves the session (``setsid``) and is not waited for escapes it; the report says which meter ran.

Hierarchies: ``/sys/fs/cgroup`` as v2 (``cgroup.controllers`` at the top), or v1 with ``cpuacct``,
``memory`` and ``pids`` mounted below it (also seen on hybrid hosts, where ``unified/`` carries no
controllers). New cgroups go under the grader's own cgroup, so a limit set on the grader also holds.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("cpu", "cpuacct", "memory", "pids")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _write(path: Path, value: str) -> bool:
    try:
        with open(path, "w") as f:
            f.write(value)
        return True
    except OSError:
        return False


def _kv(text: str | None) -> dict[str, int]:
    out = {}
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def _own_paths(proc_self_cgroup: str) -> dict[str, str]:
    """controller -> path of this process's cgroup ("" for the v2 unified hierarchy)."""
    out = {}
    for line in proc_self_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for ctrl in parts[1].split(",") if parts[1] else [""]:
            out[ctrl] = parts[2]
    return out


def detect(root: Path = ROOT) -> str | None:
    """"v2", "v1", or None (no usable cgroup hierarchy, or not allowed to create cgroups)."""
    if (root / "cgroup.controllers").is_file():
        return "v2" if os.access(root, os.W_OK) or os.geteuid() == 0 else None
    if all((root / c).is_dir() for c in ("cpuacct", "memory", "pids")):
        return "v1" if os.access(root / "memory", os.W_OK) else None
    return None


class Cgroup:
    """One cgroup per sandbox (v1: one directory per controller; v2: one directory)."""

    def __init__(self, version: str, dirs: dict[str, Path], owned: bool):
        self.version = version
        self.dirs = dirs  # v1: controller -> dir; v2: {"": dir}
        self.owned = owned
        self._peak_fd: int | None = None
        self.peak_resettable = True

    # --- creation ------------------------------------------------------------------------------
    @classmethod
    def create(cls, name: str, *, memory_mb: int | None = None, pids: int | None = None,
               cpus: float | None = None, root: Path = ROOT) -> "Cgroup | None":
        """A fresh cgroup named ``name`` under the grader's own, with the limits set; None where
        this host does not let us make one (the caller falls back to ``ProcTreeMeter``)."""
        version = detect(root)
        if version is None:
            return None
        own = _own_paths(_read(Path("/proc/self/cgroup")) or "")
        try:
            if version == "v2":
                base = root / own.get("", "/").lstrip("/")
                parent = cls._v2_parent(base)
                if parent is None:
                    return None
                d = parent / name
                d.mkdir()
                cg = cls("v2", {"": d}, owned=True)
            else:
                dirs = {}
                for ctrl in V1_CONTROLLERS:
                    if not (root / ctrl).is_dir():
                        continue
                    d = root / ctrl / own.get(ctrl, "/").lstrip("/") / "autograder" / name
                    d.mkdir(parents=True, exist_ok=False)
                    dirs[ctrl] = d
                cg = cls("v1", dirs, owned=True)
        except OSError:
            return None
        cg._limit(memory_mb=memory_mb, pids=pids, cpus=cpus)
        return cg

    @staticmethod
    def _v2_parent(base: Path) -> Path | None:
        """Where sandbox cgroups can get the cpu/memory/pids controllers: a child of our cgroup
        that holds no process (the v2 "no internal processes" rule), with the controllers enabled
        on the way down."""
        parent = base / "autograder"
        try:
            parent.mkdir(exist_ok=True)
        except OSError:
            return None
        wanted = [c for c in ("cpu", "memory", "pids") if c in (_read(base / "cgroup.controllers") or "")]
        have = (_read(base / "cgroup.subtree_control") or "").split()
        if any(c not in have for c in wanted):
            # Fails (EBUSY) where our own cgroup holds processes; the sandbox then gets CPU
            # accounting (always present in v2) but not the controllers' limits.
            _write(base / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
        avail = (_read(parent / "cgroup.controllers") or "").split()
        _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in avail
                                                            if c in ("cpu", "memory", "pids")))
        return parent

    @classmethod
    def find(cls, ident: str, root: Path = ROOT, depth: int = 5) -> "Cgroup | None":
        """An existing cgroup whose directory name contains ``ident`` (a container id), read only."""
        version = detect(root) or ("v2" if (root / "cgroup.controllers").is_file() else
                                   "v1" if (root / "cpuacct").is_dir() else None)
        if version is None:
            return None
        tops = {"": root} if version == "v2" else {c: root / c for c in V1_CONTROLLERS
                                                   if (root / c).is_dir()}
        dirs = {}
        for ctrl, top in tops.items():
            hit = _walk_find(top, ident, depth)
            if hit is not None:
                dirs[ctrl] = hit
        if not dirs:
            return None
        return cls(version, dirs, owned=False)

    def _limit(self, *, memory_mb, pids, cpus):
        if self.version == "v2":
            d = self.dirs[""]
            if memory_mb:
                _write(d / "memory.max", str(int(memory_mb) << 20))
                _write(d / "memory.swap.max", "0")
            if pids:
                _write(d / "pids.max", str(int(pids)))
            if cpus:
                _write(d / "cpu.max", f"{int(float(cpus) * 100000)} 100000")
            return
        mem, pid, cpu = self.dirs.get("memory"), self.dirs.get("pids"), self.dirs.get("cpu")
        if mem is not None and memory_mb:
            _write(mem / "memory.limit_in_bytes", str(int(memory_mb) << 20))
            _write(mem / "memory.memsw.limit_in_bytes", str(int(memory_mb) << 20))  # no swap
        if pid is not None and pids:
            _write(pid / "pids.max", str(int(pids)))
        if cpu is not None and cpus:
            _write(cpu / "cpu.cfs_period_us", "100000")
            _write(cpu / "cpu.cfs_quota_us", str(int(float(cpus) * 100000)))

    def limits_held(self) -> list[str]:
        """Which sandbox-wide limits this cgroup enforces (for the isolation note)."""
        if self.version == "v2":
            d = self.dirs[""]
            return [n for n, f in (("memory", "memory.max"), ("pids", "pids.max"), ("CPU", "cpu.max"))
                    if (d / f).is_file()]
        return [n for n, c in (("memory", "memory"), ("pids", "pids"), ("CPU", "cpu")) if c in self.dirs]

    # --- membership ----------------------------------------------------------------------------
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs.values()]

    def join_self(self) -> None:
        """Called in the child between fork and exec: everything it starts is inside."""
        pid = str(os.getpid())
        for f in self.procs_files():
            with open(f, "w") as fh:
                fh.write(pid)

    def pids(self) -> list[int]:
        d = self.dirs.get("") or self.dirs.get("pids") or self.dirs.get("cpuacct") or next(iter(self.dirs.values()))
        return [int(x) for x in (_read(d / "cgroup.procs") or "").split() if x.isdigit()]

    # --- accounting ----------------------------------------------------------------------------
    def cpu_ns(self) -> int | None:
        if self.version == "v2":
            usec = _kv(_read(self.dirs[""] / "cpu.stat")).get("usage_usec")
            return None if usec is None else usec * 1000
        d = self.dirs.get("cpuacct")
        text = _read(d / "cpuacct.usage") if d else None
        return int(text) if text and text.strip().isdigit() else None

    def _mem_dir(self) -> Path | None:
        return self.dirs.get("") if self.version == "v2" else self.dirs.get("memory")

    def mem_current(self) -> int | None:
        d = self._mem_dir()
        if d is None:
            return None
        text = _read(d / ("memory.current" if self.version == "v2" else "memory.usage_in_bytes"))
        return int(text) if text and text.strip().isdigit() else None

    def reset_peak(self) -> bool:
        d = self._mem_dir()
        if d is None:
            return False
        if self.version == "v1":
            self.peak_resettable = _write(d / "memory.max_usage_in_bytes", "0")
            return self.peak_resettable
        # v2 (Linux >= 6.12): writing to memory.peak resets it for reads through the same fd.
        self._close_peak()
        try:
            fd = os.open(d / "memory.peak", os.O_RDWR)
        except OSError:
            self.peak_resettable = False
            return False
        try:
            os.write(fd, b"reset\n")
            self._peak_fd = fd
        except OSError:
            os.close(fd)
            self.peak_resettable = False
        return self.peak_resettable

    def mem_peak(self) -> int | None:
        d = self._mem_dir()
        if d is None or not self.peak_resettable:
            return None
        if self.version == "v1":
            text = _read(d / "memory.max_usage_in_bytes")
        elif self._peak_fd is not None:
            try:
                text = os.pread(self._peak_fd, 64, 0).decode()
            except OSError:
                text = None
        else:
            return None
        return int(text) if text and text.strip().isdigit() else None

    def _close_peak(self):
        if self._peak_fd is not None:
            try:
                os.close(self._peak_fd)
            except OSError:
                pass
            self._peak_fd = None

    def limit_events(self) -> dict[str, int]:
        """Kernel counts of limits hit: {"memory": OOM kills, "pids": refused forks}."""
        out = {"memory": 0, "pids": 0}
        if self.version == "v2":
            d = self.dirs[""]
            out["memory"] = _kv(_read(d / "memory.events")).get("oom_kill", 0)
            out["pids"] = _kv(_read(d / "pids.events")).get("max", 0)
            return out
        if "memory" in self.dirs:
            out["memory"] = _kv(_read(self.dirs["memory"] / "memory.oom_control")).get("oom_kill", 0)
        if "pids" in self.dirs:
            out["pids"] = _kv(_read(self.dirs["pids"] / "pids.events")).get("max", 0)
        return out

    # --- end -----------------------------------------------------------------------------------
    def kill(self) -> None:
        if self.version == "v2" and _write(self.dirs[""] / "cgroup.kill", "1"):
            return
        for _ in range(50):  # v1: no cgroup.kill; a forking process is caught by repeated sweeps
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        self._close_peak()
        if not self.owned:
            return
        for _ in range(100):
            left = [d for d in self.dirs.values() if d.exists()]
            for d in left:
                try:
                    d.rmdir()
                except OSError:
                    pass
            if not any(d.exists() for d in left):
                return
            self.kill()
            time.sleep(0.02)

    @property
    def kind(self) -> str:
        return f"cgroup {self.version}"


def _walk_find(top: Path, ident: str, depth: int) -> Path | None:
    frontier = [top]
    for _ in range(depth):
        nxt = []
        for d in frontier:
            try:
                entries = list(os.scandir(d))
            except OSError:
                continue
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if ident in e.name:
                        return Path(e.path)
                    nxt.append(Path(e.path))
        frontier = nxt
    return None


class ProcTreeMeter:
    """Fallback without cgroups: the processes of one session, summed from /proc (see above)."""

    kind = "process tree from /proc (no cgroup on this host: a process that leaves the session escapes it)"
    peak_resettable = False

    def __init__(self, sid: int):
        self.sid = sid
        self._tick_ns = 1e9 / os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _procs(self):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            stat = _read(Path("/proc") / name / "stat")
            if not stat:
                continue
            fields = stat.rsplit(")", 1)[-1].split()
            # fields[0] is state (field 3); session is field 6, cutime/cstime fields 16/17
            try:
                if int(fields[3]) == self.sid:
                    yield int(name), fields
            except (IndexError, ValueError):
                continue

    def cpu_ns(self) -> int | None:
        total = 0
        for pid, fields in self._procs():
            try:
                total += int((int(fields[13]) + int(fields[14])) * self._tick_ns)  # reaped children
            except (IndexError, ValueError):
                pass
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tasks:
                s = _read(Path(f"/proc/{pid}/task/{tid}/schedstat"))
                if s and s.split()[0].isdigit():
                    total += int(s.split()[0])
        return total

    def mem_current(self) -> int | None:
        total = 0
        for pid, _ in self._procs():
            s = _read(Path(f"/proc/{pid}/statm"))
            if s and len(s.split()) > 1:
                total += int(s.split()[1]) * self._page
        return total

    def reset_peak(self) -> bool:
        return False

    def mem_peak(self) -> int | None:
        return None

    def limit_events(self) -> dict[str, int]:
        return {"memory": 0, "pids": 0}
