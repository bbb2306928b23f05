"""How long does ``render_html`` take for a report with all three figures (finite-difference bars,
loss curves, speed bars)? Run in a fresh interpreter, so the first call includes whatever the
figures import.

    python benchmarks/bench_report_html.py [--reps 10] [--points 50]
"""
from __future__ import annotations

import argparse
import statistics
import time

from autograder.report import Report
from autograder.verdict import TestResult


def _report(points: int) -> Report:
    return Report(submission="student", topic="10_dl_basics", sha256="ab" * 32, seed=1,
                  sandbox="process", isolation="bubblewrap", execution_time=1.5, tests=[
        TestResult(id="g", name="gradient test", kind="G", score=0.0, max_score=2, status="failed",
                   output="dx: relative error 0.5",
                   details={"self_check": {"relu": 2e-9, "sigmoid": 0.31, "tanh": 3e-5}}),
        TestResult(id="c", name="convergence test", kind="C", score=1.0, max_score=1,
                   status="passed", output="accuracy 0.93 >= 0.9",
                   details={"curve": [2.3 * 0.999 ** i for i in range(points)],
                            "reference_curve": [2.3 * 0.998 ** i for i in range(points)]}),
        TestResult(id="p", name="speed test", kind="P", score=0.0, max_score=1, status="failed",
                   output="too slow", details={"reference_times": [0.001, 0.0011],
                                               "submission_times": [0.012, 0.013], "factor": 3.0}),
    ])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--points", type=int, default=50, help="points per loss curve")
    args = ap.parse_args()
    report = _report(args.points)
    t0 = time.perf_counter()
    from autograder.report.html import render_html
    html = render_html(report)
    first = time.perf_counter() - t0
    times = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        render_html(report)
        times.append(time.perf_counter() - t0)
    print(f"render_html, 3 figures, {args.points} points per curve: first call (with imports) "
          f"{first * 1e3:.1f} ms; then median {statistics.median(times) * 1e3:.1f} ms "
          f"(min {min(times) * 1e3:.1f}) over {args.reps}; page {len(html) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
