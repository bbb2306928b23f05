"""Is there an NVIDIA GPU on this host? Asked of the driver (``nvidia-smi``), not of torch: importing
torch costs ~2 s, and the answer is needed by ``list`` and by the sandboxes before any topic loads
torch. Whether CUDA is usable *inside* a sandbox is decided there, by the probe's own torch."""
from __future__ import annotations

import functools
import shutil
import subprocess


@functools.lru_cache(maxsize=1)
def host_gpu() -> str | None:
    """The name of the first NVIDIA GPU on this host, or None."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except Exception:  # noqa: BLE001 - a driver that does not answer means no usable GPU
        return None
    names = out.stdout.strip().splitlines()
    return names[0].strip() if out.returncode == 0 and names else None
