"""Growth: seconds per submission and the grader's own peak memory as the batch grows.

    python benchmarks/growth.py [--topic 10] [--sizes 1 10 100 1000] [--sandbox process] [--jobs 2]

For each N it grades N distinct students (copies of the topic's examples, so the gradebook cannot skip
any) through the CLI entry point in a fresh process, and prints wall seconds, seconds per submission,
the slope between consecutive sizes (seconds per extra submission: flat means no super-linear term),
and the grader process's own peak RSS (``ru_maxrss`` of that process alone: the sandboxes it starts
are other processes and are not counted). Figures depend on the machine: run it on an idle one.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Runs the CLI in this very process, then reports the process's own peak RSS on the last line.
WRAPPER = ("import resource, sys\n"
           "from autograder.cli import main\n"
           "try:\n    rc = main(sys.argv[1:])\nexcept SystemExit as e:\n    rc = e.code\n"
           "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
           "sys.exit(rc or 0)\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--topic", default="10")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    ap.add_argument("--sandbox", default="process")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    from autograder.topics import get_topic

    topic = get_topic(args.topic)
    pool = sorted((ROOT / "examples" / topic.name).glob("*.ipynb")) or [topic.solution_path]
    print(f"topic {topic.name}, sandbox {args.sandbox}, --jobs {args.jobs}")
    print(f"{'N':>6s} {'wall (s)':>9s} {'s/sub':>7s} {'slope s/sub':>12s} {'grader RSS (MB)':>16s}")
    prev = None
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="growth-"))
        try:
            subs = work / "subs"
            subs.mkdir()
            for i in range(n):
                shutil.copy(pool[i % len(pool)], subs / f"s{i:05d}.ipynb")
            cmd = [sys.executable, "-c", WRAPPER, "grade", topic.name, str(subs), "--out", str(work / "out"),
                   "--sandbox", args.sandbox, "--jobs", str(args.jobs), "--seed", "1"]
            t0 = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True,
                               env={**os.environ, "AUTOGRADER_ROOT": str(ROOT)})
            wall = time.perf_counter() - t0
            rss = next((int(ln.split()[1]) for ln in r.stderr.splitlines() if ln.startswith("PEAK_RSS_KB")), 0)
            slope = (wall - prev[1]) / (n - prev[0]) if prev and n > prev[0] else float("nan")
            print(f"{n:6d} {wall:9.1f} {wall / n:7.3f} {slope:12.3f} {rss / 1024:16.0f}", flush=True)
            if rss == 0:
                print(r.stdout[-800:], r.stderr[-800:])
            prev = (n, wall)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
