"""The one GPU detector, run on the worker that grades (never on a coordinator).

A GPU is usable for grading when the NVIDIA device nodes exist on this host AND the Python that runs
the sandboxes has a CUDA build of torch that sees a device: a CPU-only torch (the pinned default)
cannot run a CUDA test however many GPUs the host has, so it counts as none. torch is asked in a
child process, once per worker process, so that the grader itself never imports torch or CUDA.

What a sandbox does with it: bubblewrap binds the ``/dev/nvidia*`` nodes (``--dev-bind``) and
drops the address-space rlimit, which CUDA's initialisation exceeds by far (the cgroup's memory limit
still holds for the whole sandbox); Docker passes a ``DeviceRequest``. Tests with
``requires = "cuda"`` run only where :func:`detect` found a GPU; everywhere else they are reported
*not run*, their points apart, never passed.
"""
from __future__ import annotations

import functools
import glob
import json
import os
import subprocess
import sys
from dataclasses import dataclass

_PROBE = ("import json, torch\n"
          "ok = torch.cuda.is_available() and torch.cuda.device_count() > 0\n"
          "out = {'ok': bool(ok)}\n"
          "if ok:\n"
          "    p = torch.cuda.get_device_properties(0)\n"
          "    out.update(name=p.name, capability=f'{p.major}.{p.minor}', count=torch.cuda.device_count(),\n"
          "               memory=int(p.total_memory))\n"
          "print(json.dumps(out))\n")


@dataclass(frozen=True)
class Gpu:
    name: str
    capability: str  # "9.0"
    devices: tuple[str, ...]  # the device nodes a sandbox needs
    count: int = 1
    memory_bytes: int = 0

    def describe(self) -> str:
        return f"{self.name} (compute capability {self.capability})"


def device_nodes(dev: str = "/dev") -> list[str]:
    """The NVIDIA device nodes of this host (the control, UVM and per-GPU nodes, and capabilities)."""
    nodes = sorted(p for p in glob.glob(os.path.join(dev, "nvidia*")) if not os.path.isdir(p))
    nodes += sorted(glob.glob(os.path.join(dev, "nvidia-caps", "*")))
    return nodes


def ask_torch(python: str = sys.executable, timeout: float = 120.0) -> dict | None:
    """torch.cuda's answer, from a child process; None when it could not be asked."""
    try:
        out = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "CUDA_MODULE_LOADING": "LAZY"})
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        return json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None
    except (ValueError, IndexError):
        return None


def detect_from(nodes: list[str], answer: dict | None) -> Gpu | None:
    """The decision, apart from how its two inputs were gathered (tested with both absent/present)."""
    if not nodes or not answer or not answer.get("ok"):
        return None
    return Gpu(name=str(answer.get("name", "unknown GPU")), capability=str(answer.get("capability", "?")),
               devices=tuple(nodes), count=int(answer.get("count", 1) or 1),
               memory_bytes=int(answer.get("memory", 0) or 0))


@functools.lru_cache(maxsize=1)
def detect() -> Gpu | None:
    """This worker's GPU, or None. No device nodes: None without starting torch."""
    nodes = device_nodes()
    if not nodes:
        return None
    return detect_from(nodes, ask_torch())
