"""Prints wall times: grading one solved notebook per topic, and a batch of N copies of one topic.

    python benchmarks/bench_grading.py [--sandbox process] [--batch 20] [--jobs 2] [--topic 10]

A figure-printing script, not a timed test: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from autograder.grade import grade
from autograder.topics import all_topics, get_topic


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sandbox", default="process")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--topic", default="10")
    ap.add_argument("--topics", nargs="*", default=None, help="topics for the one-submission times")
    args = ap.parse_args()
    topics = [get_topic(t) for t in args.topics] if args.topics else all_topics()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"sandbox: {args.sandbox}")
        print(f"{'topic':28s} {'score':>9s} {'wall (s)':>9s}   (one solved notebook, reference included)")
        for t in topics:
            t0 = time.perf_counter()
            (r,) = grade(topic=t.name, submissions=[t.solution_path], out=tmp / t.name,
                         sandbox=args.sandbox, seed=1)
            print(f"{t.name:28s} {r.score:>4g}/{r.max_score:<4g} {time.perf_counter() - t0:9.2f}")
        topic = get_topic(args.topic)
        batch = tmp / "batch"
        batch.mkdir()
        for i in range(args.batch):
            shutil.copy(topic.solution_path, batch / f"student{i:02d}.ipynb")
        t0 = time.perf_counter()
        reports = grade(topic=topic.name, submissions=[batch], out=tmp / "batch-out",
                        sandbox=args.sandbox, seed=1, jobs=args.jobs)
        wall = time.perf_counter() - t0
        full = sum(r.score == r.max_score for r in reports)
        print(f"batch of {args.batch} x {topic.name}, --jobs {args.jobs}: {wall:.2f} s wall, "
              f"{wall / args.batch:.2f} s per submission, {60 * args.batch / wall:.1f} submissions/min, "
              f"{full}/{args.batch} full marks")


if __name__ == "__main__":
    main()
