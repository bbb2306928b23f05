"""How stable are the GPU speed tests of topics 22 and 41? The same reruns as
``bench_speed_verdicts.py`` (the parent times each call of fresh inputs, reference and submissions
in the same run), for the CUDA tests: timed by the parent's wall clock around each call, whose output
is copied back to the host inside the call.

    python benchmarks/bench_gpu_speed.py [--reruns 10]          # on a worker with a usable GPU
    python benchmarks/bench_gpu_speed.py --cpu [--reruns 10]    # the CPU tests (works anywhere)

Without a GPU (``autograder.sandbox.gpu.detect``) the CUDA tests are not run: it says so and stops.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_speed_verdicts as bsv  # noqa: E402

from autograder.sandbox.gpu import detect  # noqa: E402

GPU_TESTS = {"22": "mha_speed_cuda", "41": "flash_speed_cuda"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reruns", type=int, default=10)
    ap.add_argument("--cpu", action="store_true", help="the CPU speed tests instead")
    args = ap.parse_args()
    if not args.cpu:
        gpu = detect()
        if gpu is None:
            print("no usable GPU on this worker (device nodes and a CUDA torch): the CUDA tests are "
                  "not run here; try --cpu")
            return 1
        print(f"GPU: {gpu.describe()}")
    for topic in ("22", "41"):
        test = bsv.CASES[topic][0] if args.cpu else GPU_TESTS[topic]
        bsv.run(topic, test, bsv.CASES[topic][1], args.reruns, has_gpu=not args.cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
