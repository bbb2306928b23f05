"""Grade every fixture of the given topics at many seeds and print, per topic, how many buggy
fixtures escaped (kept full marks or passed a targeted test) and how many correct alternatives lost
points, at each seed. The expectations (BUGGY: fixture -> targeted tests, ALTERNATIVES) come from
tests/topics/test_<topic>.py, so this is the same contract the tests check at 2-3 seeds.

    python3 benchmarks/fixture_seeds.py 03_logistic_regression 10_dl_basics --seeds 20 [--jobs 2]

Slow (about one second per fixture per seed): run it once per change, not in CI. On a busy
machine, --in-process runs the probes and verdicts in this process instead of the sandbox (our own
fixtures only, never a submission): the same probes, checks and warning capture, without process
start-up; speed, memory and GPU tests are skipped there (they need the sandbox's measurements)."""
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
    ap.add_argument("--in-process", action="store_true")
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

                if args.in_process:
                    statuses = in_process(topic, fixtures, names, seed)
                else:
                    with ThreadPoolExecutor(args.jobs) as pool:
                        reports = dict(pool.map(one, enumerate(names)))
                    statuses = {f: ({t.id: t.status for t in rep.tests}, rep)
                                for f, rep in reports.items()}
                for f, (status, rep) in statuses.items():
                    grader_errors = sum(v == "grader_error" for v in status.values())
                    lost = [t for t, v in status.items() if v not in ("passed", "not_run", "skipped")]
                    if f in buggy:
                        targets = [t for t in buggy[f] if status.get(t) != "skipped"]
                        if not targets:
                            continue  # only speed/memory targets: not measurable in-process
                        caught = grader_errors == 0 and all(status.get(t) == "failed" for t in targets)
                        if not caught:
                            escapes[f].append(seed)
                    elif lost:
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


def in_process(topic, fixtures: Path, names: list[str], seed: int) -> dict:
    """{fixture: ({test id: status}, None)} with the probes and verdicts run in this process."""
    import json
    import types

    from autograder.probe import ProbeObs
    from autograder.runtime.harness import encode_observations, probe_rng, run_probe_recording_warnings
    from autograder.verdict import _no_warnings, check, load_verdicts

    probes = types.ModuleType("probes")
    exec(compile(topic.source("probes.py"), "<probes>", "exec"), probes.__dict__)
    verdicts = load_verdicts(topic)

    def module(cells):
        mod = types.ModuleType("submission")
        for i, src in cells:
            exec(compile(src, f"<cell {i}>", "exec"), mod.__dict__)
        return mod

    def run(mod, test):
        sink = []
        try:
            obs = run_probe_recording_warnings(getattr(probes, test.probe), mod,
                                               probe_rng(seed, test.id), test.args, 600, sink)
            sc, ar = encode_observations(obs)
            return ProbeObs(id=test.id, status="ok", scalars=sc, arrays=ar, warnings=sink)
        except Exception as exc:  # noqa: BLE001
            return ProbeObs(id=test.id, status="error", error=repr(exc))

    ref = module([(1, topic.source("reference.py"))])
    tests = [t for t in topic.tests if t.check in ("allclose", "gradient", "custom") and not t.requires]
    ref_obs = {t.id: run(ref, t) for t in tests}
    out = {}
    for name in names:
        nb = json.loads((fixtures / name).read_text())
        cells = [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
        cells = [(i, "\n".join(line for line in src.splitlines()
                               if not line.lstrip().startswith(("import otter", "grader", "!", "%"))))
                 for i, src in cells]
        try:
            mod = module(cells)
        except Exception:  # noqa: BLE001
            mod = types.ModuleType("submission")
        status = {t.id: "skipped" for t in topic.tests}
        for t in tests:
            rp, sp = ref_obs[t.id], run(mod, t)
            if rp.status != "ok":
                status[t.id] = "grader_error"
            elif sp.status != "ok":
                status[t.id] = "failed"
            else:
                v = check(t, rp, sp, verdicts=verdicts, seed=seed)
                if t.options.get("no_warnings"):
                    v = _no_warnings(v, sp)
                status[t.id] = "passed" if v.passed else "failed"
        out[name] = (status, None)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
