"""Are the speed and memory verdicts stable? Reruns each timed test N times: every rerun measures the
reference and then each submission the way grading does (the parent drives fresh inputs and reads the
kernel's CPU time / peak memory of the whole sandbox), and prints per submission the verdicts, the
median ratio and its spread.

    python benchmarks/bench_speed_verdicts.py [--reruns 20] [--topics 11 22 41] [--memory-reruns 5]

A figure-printing script, not a timed test. CPU time, not wall time: other processes on the host
do not inflate it (wall times are printed too, for comparison).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time
from pathlib import Path

import numpy as np

from autograder.notebook import load_submission
from autograder.probe import observe, reference_cells
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import get_topic
from autograder.verdict import judge

ROOT = Path(__file__).resolve().parent.parent
# topic -> (timed test, [(label, notebook), ...]): the solved notebook and the loop answers.
CASES = {
    "11": ("conv_speed", [("solution", "solutions/11_cnn/11_cnn.ipynb"),
                          ("stride_tricks", "tests/fixtures/11_cnn/alt_correct_stride_tricks.ipynb"),
                          ("pixel_loop", "tests/fixtures/11_cnn/python_loop_over_pixels.ipynb"),
                          ("python_loop", "tests/fixtures/11_cnn/python_loop_conv.ipynb")]),
    "22": ("mha_speed", [("solution", "solutions/22_attention/22_attention.ipynb"),
                         ("float64", "tests/fixtures/22_attention/alt_correct_float64.ipynb"),
                         ("per_head_loop", "tests/fixtures/22_attention/per_head_loop.ipynb")]),
    "41": ("flash_speed", [("solution", "solutions/41_efficient_attention/41_efficient_attention.ipynb"),
                           ("float32", "tests/fixtures/41_efficient_attention/alt_correct_float32.ipynb"),
                           ("per_row_loop", "tests/fixtures/41_efficient_attention/per_row_loop.ipynb")]),
}
MEMORY = ("41", "flash_memory", [("solution", "solutions/41_efficient_attention/41_efficient_attention.ipynb"),
                                 ("full_score_matrix", "tests/fixtures/41_efficient_attention/full_score_matrix.ipynb")])


def _cells(path: Path):
    return [{"index": c.index, "source": c.source} for c in load_submission(path).cells]


def run(topic_name: str, test_id: str, subs, reruns: int, has_gpu: bool = False) -> None:
    topic = get_topic(topic_name)
    topic = dataclasses.replace(topic, tests=tuple(t for t in topic.tests if t.id == test_id))
    rows = {label: {"verdicts": [], "ratio": [], "cpu_ms": [], "wall_ms": [], "peak_mb": []} for label, _ in subs}
    ref_ms = []
    cells = {label: _cells(ROOT / path) for label, path in subs}
    for k in range(reruns):
        seed = 1000 + k
        ref = observe(topic=topic, cells=reference_cells(topic), seed=seed, sandbox=ProcessSandbox(isolate=False))
        rt = ref.run.timed[test_id]
        ref_t = rt.cpu_s or rt.wall_s  # GPU tests: the parent's wall clock
        ref_ms.append(1e3 * statistics.median(ref_t) if ref_t else float("nan"))
        for label, _ in subs:
            sub = observe(topic=topic, cells=cells[label], seed=seed, sandbox=ProcessSandbox())
            r = judge(topic=topic, ref=ref, sub=sub, fatal=None, findings=[], seed=seed, has_gpu=has_gpu)[0]
            row = rows[label]
            row["verdicts"].append(r.status)
            row["ratio"].append(r.details.get("ratio", float("nan")))
            st = sub.run.timed.get(test_id)
            if st is not None and st.cpu_s:
                row["cpu_ms"].append(1e3 * statistics.median(st.cpu_s))
                row["wall_ms"].append(1e3 * statistics.median(st.wall_s))
            if r.details.get("peak_mb") is not None:
                row["peak_mb"].append(r.details["peak_mb"])
    print(f"\n{topic.name} {test_id}: {reruns} reruns; reference median CPU per call "
          f"{np.nanmedian(ref_ms):.3g} ms (IQR {np.subtract(*np.nanpercentile(ref_ms, [75, 25])):.2g})")
    for label, row in rows.items():
        v = {s: row["verdicts"].count(s) for s in sorted(set(row["verdicts"]))}
        ratio = np.asarray(row["ratio"], dtype=float)
        line = f"  {label:18s} verdicts {v}"
        if np.isfinite(ratio).any():
            q1, med, q3 = np.nanpercentile(ratio, [25, 50, 75])
            line += (f"  ratio median {med:.2f} (IQR {q1:.2f}-{q3:.2f}, min {np.nanmin(ratio):.2f}, "
                     f"max {np.nanmax(ratio):.2f})")
        if row["cpu_ms"]:
            line += f"  cpu {np.median(row['cpu_ms']):.3g} ms, wall {np.median(row['wall_ms']):.3g} ms"
        if row["peak_mb"]:
            line += f"  peak {np.median(row['peak_mb']):.1f} MB (max {max(row['peak_mb']):.1f})"
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reruns", type=int, default=20)
    ap.add_argument("--memory-reruns", type=int, default=5)
    ap.add_argument("--topics", nargs="*", default=list(CASES))
    args = ap.parse_args()
    t0 = time.time()
    # The host's load changes CPU times too (caches, shared cores): say how busy it was.
    print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    for t in args.topics:
        run(t, CASES[t][0], CASES[t][1], args.reruns)
    if args.memory_reruns:
        run(MEMORY[0], MEMORY[1], MEMORY[2], args.memory_reruns)
    print(f"\n({time.time() - t0:.0f} s; load average at end: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()) + ")")


if __name__ == "__main__":
    main()
