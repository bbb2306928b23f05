"""How often a fed convergence test passes, per fresh data set: the reference, and every fixture.

    python benchmarks/convergence_odds.py [--topic 09_neural_network] [--draws 60] [--test ID]

For each fed test of the topic (``[tests.timing] feed = ...``): draws the feed on independent
streams (``default_rng([i, 99])``, as the grader's parent would on its secret stream), splits what
is sent from what is kept (``_`` names), runs the probe's callable on the sent arrays with the
reference and with every notebook in ``tests/fixtures/<topic>/`` (code cells run in this process;
a failing cell is skipped, as in the sandbox), and scores the output with the topic's own verdict
on the kept arrays. It prints, per trainer, the verdict's metric (min / mean / max), how often one
draw passes, and how often ``calls`` draws in a row pass.

The manifest's ``calls`` is chosen so the reference passes every draw and the bugs the test
targets rarely pass all of them; write the figures beside it in the manifest.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import types
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.runtime.harness import output_arrays, probe_rng  # noqa: E402
from autograder.topics import load_topic  # noqa: E402
from autograder.verdict import load_verdicts  # noqa: E402


def _module(name: str, sources) -> types.ModuleType:
    mod = types.ModuleType(name)
    for source in sources:
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(source, f"<{name}>", "exec"), mod.__dict__)  # noqa: S102 - our fixtures
        except Exception:  # noqa: BLE001 - a failing cell (otter, the stub's "Try it") leaves the rest
            pass
    return mod


def _notebook(path: Path) -> types.ModuleType:
    nb = json.loads(path.read_text())
    cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
             for c in nb["cells"] if c.get("cell_type") == "code"]
    return _module("submission", cells)


def _odds(topic, test, probes, verdicts, mod, draws: int, refs=None, extra=None):
    """``refs``: the reference's output per draw, passed as ``ref`` (a verdict that compares with
    the reference, e.g. topic 04's WCSS ratio); without it a trainer is its own reference.
    ``extra``: a dict collecting the verdict's other numeric details (the largest of each)."""
    feed = getattr(probes, test.options["timing"]["feed"])
    values, passed = [], []
    for i in range(draws):
        data = feed(np.random.default_rng([i, 99]))
        sent = {k: np.asarray(v) for k, v in data.items() if not k.startswith("_")}
        kept = {k[1:]: np.asarray(v) for k, v in data.items() if k.startswith("_")}
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"), \
                    contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                train = getattr(probes, test.probe)(mod, probe_rng(0, test.id), **test.args)
                out = output_arrays(train(**sent))
                if refs is not None and len(refs) <= i:  # the first trainer: the reference
                    refs.append(out)
                ref = out if refs is None else refs[i]
                v = getattr(verdicts, test.verdict)(ref=ref, sub=out, test=test, seed=0, held_out=kept)
        except Exception:  # noqa: BLE001 - the fixture's code raised: this draw fails
            values.append(np.nan)
            passed.append(False)
            continue
        for k, x in (v.details or {}).items():
            if extra is not None and k not in ("value", "target") and isinstance(x, (int, float)) \
                    and not isinstance(x, bool):
                extra[k] = max(extra.get(k, -np.inf), float(x))
        value = (v.details or {}).get("value")
        values.append(np.nan if value is None else float(value))
        passed.append(v.fraction >= 1.0)
    return np.asarray(values, dtype=float), np.asarray(passed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--topic", default="09_neural_network")
    ap.add_argument("--draws", type=int, default=60)
    ap.add_argument("--test", default=None, help="one fed test id (default: every fed test)")
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="more notebooks to measure besides the topic's fixtures (e.g. a bug variant)")
    args = ap.parse_args()
    topic = load_topic(ROOT / "reference" / args.topic)
    probes = _module("probes", [topic.source("probes.py")])
    verdicts = load_verdicts(topic)
    trainers = [("reference", _module("reference", [topic.source("reference.py")]))]
    trainers += [(p.stem, _notebook(p)) for p in sorted((ROOT / "tests" / "fixtures" / args.topic).glob("*.ipynb"))]
    trainers += [(p.stem, _notebook(p)) for p in args.notebooks]
    fed = [t for t in topic.tests if isinstance(t.options.get("timing"), dict)
           and t.options["timing"].get("feed") and (args.test is None or t.id == args.test)]
    for test in fed:
        calls = int(test.options["timing"].get("calls", 1))
        print(f"{args.topic} {test.id}: target {test.options.get('target')}, {args.draws} draws, "
              f"calls = {calls}")
        print(f"  {'trainer':40s} {'min':>10s} {'mean':>10s} {'max':>10s} {'P(pass)':>8s} "
              f"{f'P({calls} in a row)':>16s}")
        refs = []  # the reference runs first: its outputs are every other trainer's ``ref``
        for name, mod in trainers:
            extra = {}
            values, passed = _odds(topic, test, probes, verdicts, mod, args.draws, refs, extra)
            p = float(np.mean(passed))
            finite = values[np.isfinite(values)]
            lo, mean, hi = ((finite.min(), finite.mean(), finite.max()) if finite.size
                            else (np.nan, np.nan, np.nan))
            print(f"  {name:40s} {lo:10.4g} {mean:10.4g} {hi:10.4g} {p:8.3f} {p ** calls:16.4f}"
                  + "".join(f"  {k}<={x:.3g}" for k, x in sorted(extra.items())))


if __name__ == "__main__":
    main()
