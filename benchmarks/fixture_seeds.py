"""Grade every fixture of the given topics at many seeds and print, per topic, how many buggy
fixtures escaped (kept full marks or passed a targeted test) and how many correct alternatives lost
points, at each seed. The expectations (BUGGY: fixture -> targeted tests, ALTERNATIVES) come from
tests/topics/test_<topic>.py, so this is the same contract the tests check at 2-3 seeds.

    python3 benchmarks/fixture_seeds.py 03_logistic_regression 10_dl_basics --seeds 20 [--jobs 2]

Slow (about one second per fixture per seed): run it once per change, not in CI."""
from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def expectations(topic: str):
    path = ROOT / "tests" / "topics" / f"test_{topic}.py"
    spec = importlib.util.spec_from_file_location(f"t_{topic}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return dict(mod.BUGGY), list(mod.ALTERNATIVES)


def main(argv=None) -> int:
    from autograder.grade import grade_one, reference_observations
    from autograder.sandbox.process import ProcessSandbox
    from autograder.topics import get_topic

    ap = argparse.ArgumentParser()
    ap.add_argument("topics", nargs="+")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    # Sandbox uids are BASE_UID + slot: start at slot 4 so this run does not share a uid (and its
    # process limit and clean-up) with a test suite grading on slots 0 and 1 at the same time.
    ap.add_argument("--slot-base", type=int, default=4)
    args = ap.parse_args(argv)
    box = ProcessSandbox()
    bad_total = 0
    for name in args.topics:
        topic = get_topic(name)
        buggy, alts = expectations(topic.name)
        fixtures = ROOT / "tests" / "fixtures" / topic.name
        escapes = {f: [] for f in buggy}
        false_fail = {f: [] for f in alts}
        with tempfile.TemporaryDirectory() as tmp:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                ref = reference_observations(topic, seed)
                names = [*buggy, *alts]

                def one(item, seed=seed, ref=ref):
                    slot, f = item
                    return f, grade_one(topic=topic, path=fixtures / f, out_dir=Path(tmp) / f"{seed}_{f}",
                                        seed=seed, sandbox=box, ref=ref,
                                        slot=args.slot_base + slot % args.jobs)

                with ThreadPoolExecutor(args.jobs) as pool:
                    reports = dict(pool.map(one, enumerate(names)))
                for f, rep in reports.items():
                    status = {t.id: t.status for t in rep.tests}
                    if f in buggy:
                        caught = (rep.grader_errors == 0 and rep.score < rep.max_score
                                  and all(status.get(t) == "failed" for t in buggy[f]))
                        if not caught:
                            escapes[f].append(seed)
                    elif rep.score < rep.max_score or rep.grader_errors:
                        lost = [t.id for t in rep.tests if t.status != "passed"]
                        false_fail[f].append((seed, lost))
        n = args.seeds
        print(f"== {topic.name}: {len(buggy)} buggy, {len(alts)} correct alternatives, {n} seeds")
        for f, seeds in escapes.items():
            print(f"  buggy {f}: caught {n - len(seeds)}/{n}" + (f"  escaped at {seeds}" if seeds else ""))
        for f, fails in false_fail.items():
            print(f"  alt   {f}: full marks {n - len(fails)}/{n}" + (f"  lost at {fails[:3]}" if fails else ""))
        bad_total += sum(map(len, escapes.values())) + sum(map(len, false_fail.values()))
        sys.stdout.flush()
    return 1 if bad_total else 0


if __name__ == "__main__":
    raise SystemExit(main())
