"""Is there a usable NVIDIA GPU on this host? The one detector is ``autograder.sandbox.gpu.detect``:
no ``/dev/nvidia*`` node means no GPU at once (a glob: ``list`` and ``--help`` stay light); where
nodes exist, torch.cuda is asked in a child process (name, compute capability) so the grader never
imports torch, and a CPU-only torch counts as no GPU (it could not run a CUDA test). ``nvidia-smi``
names the card where nodes exist but torch has no CUDA, for the notes only (``driver_gpu``)."""
from __future__ import annotations

import functools
import shutil
import subprocess


@functools.lru_cache(maxsize=1)
def host_gpu() -> str | None:
    """This worker's usable GPU in words (name, compute capability), or None."""
    from autograder.sandbox.gpu import detect

    gpu = detect()
    return gpu.describe() if gpu else None


@functools.lru_cache(maxsize=1)
def driver_gpu() -> str | None:
    """The name of the first NVIDIA GPU the driver reports, usable by torch or not; or None."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except Exception:  # noqa: BLE001 - a driver that does not answer means no usable GPU
        return None
    names = out.stdout.strip().splitlines()
    return names[0].strip() if out.returncode == 0 and names else None
