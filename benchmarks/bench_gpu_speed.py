"""Prints how stable the speed tests of topics 22 and 41 are: for the reference and the solved
notebook, each timing probe is run ``--runs`` times (10 by default) in this process; each run gives a
median over its repeats, and the script prints the mean of those medians and their coefficient of
variation (std / mean), plus the solution/reference ratio the verdict would see.

    python benchmarks/bench_gpu_speed.py            # on a GPU host: the CUDA-event probes
    python benchmarks/bench_gpu_speed.py --cpu      # the CPU probes (works anywhere)

A figure-printing script for calibrating the manifest factors, not a test. On a host without CUDA
and without --cpu it says so and exits with status 2.
"""
from __future__ import annotations

import argparse
import sys
import types

import numpy as np

from autograder.checks.speed import cuda_available, device_name
from autograder.notebook import load_submission
from autograder.runtime.harness import probe_rng
from autograder.topics import get_topic

PROBES = {  # topic -> (CPU probe, GPU probe)
    "22_attention": ("mha_speed", "mha_speed_cuda"),
    "41_efficient_attention": ("flash_speed", "flash_speed_cuda"),
}


def _module(name: str, source: str) -> types.ModuleType:
    mod = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), mod.__dict__)
    return mod


def _solution(topic) -> types.ModuleType:
    sub = load_submission(topic.solution_path)
    # Every code cell (otter lines removed), as the grader runs them; the demo cells print a little.
    return _module("solution", "\n\n".join(c.source for c in sub.cells))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cpu", action="store_true", help="time the CPU probes instead")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not args.cpu and not cuda_available():
        print("no CUDA GPU on this host: run it where one is lent, or pass --cpu", file=sys.stderr)
        return 2
    print(f"device: {device_name('cpu' if args.cpu else 'cuda')}")
    print(f"{'topic':24} {'probe':18} {'side':9} {'mean ms':>9} {'CV %':>6} {'min ms':>8} {'max ms':>8}")
    for name, (cpu_probe, gpu_probe) in PROBES.items():
        topic = get_topic(name)
        probes = _module("probes", topic.source("probes.py"))
        probe = cpu_probe if args.cpu else gpu_probe
        fn = getattr(probes, probe)
        test = next(t for t in topic.tests if t.probe == probe)
        sides = {"reference": _module("reference", topic.source("reference.py")),
                 "solution": _solution(topic)}
        means = {}
        for side, mod in sides.items():
            medians = []
            for _ in range(args.runs):
                obs = fn(mod, probe_rng(args.seed, test.id), **test.args)
                medians.append(float(np.median(obs["times"])))
            m = np.asarray(medians) * 1e3
            means[side] = m.mean()
            print(f"{name:24} {probe:18} {side:9} {m.mean():9.3f} {100 * m.std() / m.mean():6.1f} "
                  f"{m.min():8.3f} {m.max():8.3f}")
        factor = test.options.get("factor")
        print(f"{name:24} {probe:18} ratio     {means['solution'] / means['reference']:9.2f}"
              f"   (manifest factor {factor})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
