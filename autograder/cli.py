"""Command line: each verb wraps one keyword-only function of the engine, with the same parameters.

Exit codes: 0 done; 1 done but something needs staff (grader errors, a topic that fails
validation) or an internal error (one line here, the traceback in a log file); 2 a usage error
(unknown topic, missing path, empty folder, bad option), always one line on stderr."""
from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

console = Console()


def _gpu_points(topic) -> float:
    return sum(t.points for t in topic.tests if t.requires == "cuda")


def _cmd_list(args) -> int:
    from autograder.gpu import host_gpu
    from autograder.topics import all_topics

    gpu = host_gpu()
    table = Table(title="Topics")
    for col in ("topic", "title", "tests", "points", "of which GPU", "kinds"):
        table.add_column(col)
    any_gpu = False
    for t in all_topics():
        g = _gpu_points(t)
        any_gpu |= g > 0
        table.add_row(t.name, t.title, str(len(t.tests)), f"{t.points:g}", f"{g:g}" if g else "",
                      " ".join(t.kinds))
    console.print(table)
    if any_gpu:
        console.print("GPU points are graded only on a host with a CUDA GPU" + (
            f" (this one has {gpu})." if gpu else "; this host has none, so `grade` here shows them "
            "as not run and scores out of the rest."), highlight=False)
    return 0


def _cmd_grade(args) -> int:
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autograder.collect import count
    from autograder.grade import grade
    from autograder.gradebook import default_url

    # --gradebook/--naming/--no-gradebook are added to this parser by autograder/commands/gradebook.py
    from autograder.topics import get_topic

    topic = get_topic(args.topic)  # an unknown topic is reported before anything is read
    book = None if getattr(args, "no_gradebook", False) else (
        getattr(args, "gradebook", None) or default_url(args.out))
    total = count(args.submissions, getattr(args, "naming", None))
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}"),
                  console=console, transient=True, disable=total < 2) as bar:
        task = bar.add_task(f"grading {args.topic}", total=total, last="")
        from autograder.grade import BatchStopped

        stopped = None
        try:
            reports = grade(topic=args.topic, submissions=args.submissions, out=args.out,
                            sandbox=args.sandbox, seed=args.seed, jobs=args.jobs,
                            progress=lambda name: bar.update(task, advance=1, last=name),
                            gradebook=book, naming=getattr(args, "naming", None),
                            force=args.force, course=args.course, executor=args.executor,
                            address=args.address)
        except BatchStopped as exc:  # interrupted, or a full disk: what finished is kept
            reports, stopped = exc.reports, exc
    from autograder.collect import students_dir

    fresh = [r for r in reports if not r.cached]
    table = Table(title=f"{topic.name}: seed {fresh[0].seed if fresh else args.seed}, "
                        f"sandbox {fresh[0].sandbox if fresh else args.sandbox}")
    for col in ("student", "score", "max", "late", "failed", "grader errors", "time (s)", "graded"):
        table.add_column(col)
    not_run = 0.0
    for r in reports:
        failed = sum(t.status == "failed" for t in r.tests)
        not_run = max(not_run, r.not_run_points)
        late = f"-{r.penalty_percent:g}%" if r.late.get("late") else ""
        table.add_row(r.submission, f"{r.score:g}", f"{r.max_score + r.not_run_points:g}"
                      + ("*" if r.not_run_points else ""), late, str(failed),
                      str(r.grader_errors), f"{r.execution_time:.2f}",
                      "skipped" if r.cached else ("NOT GRADED" if r.fault else "now"))
    console.print(table)
    if not_run:
        console.print(f"* {not_run:g} of the {topic.points:g} points are GPU tests, not run on this "
                      f"host (no CUDA GPU): scores here are out of {topic.points - not_run:g}.",
                      highlight=False)
    if reports:
        mean = sum(r.score for r in reports) / len(reports)
        console.print(f"{len(reports)} submission{'s' if len(reports) != 1 else ''}: {len(fresh)} graded, "
                      f"{len(reports) - len(fresh)} already in the gradebook; mean score {mean:.2f}")
    console.print(f"reports: {students_dir(args.out, topic.name)}/<student>/report.html "
                  f"(results.json, summary.txt beside it)", highlight=False)
    if book:
        console.print(f"gradebook: {book}")
    faults = [r for r in reports if r.fault]
    if faults:
        from autograder.report.sanitize import clean_text

        why = clean_text(faults[0].notes[0] if faults[0].notes else faults[0].fault)[:300]
        console.print(f"{len(faults)} submission(s) not graded because of grader faults (not "
                      f"recorded: the next run grades them): {why}", highlight=False, markup=False)
    if stopped is not None:
        print(f"autograder: {stopped}", file=sys.stderr)
        return stopped.code
    return 1 if any(r.grader_errors for r in reports) else 0


def _cmd_validate(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autograder.topics import all_topics, get_topic
    from autograder.validate import validate

    chosen = [get_topic(t).name for t in args.topics] if args.topics else [t.name for t in all_topics()]
    with Progress(TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[last]}"), console=console, transient=True) as bar:
        task = bar.add_task("validate", total=2 * len(chosen), last="")
        rows = validate(topics=chosen, sandbox=args.sandbox, seed=args.seed, jobs=args.jobs,
                        progress=lambda what: bar.update(task, advance=1, last=what))
    table = Table(title="Validation: solution full marks, stub zero")
    for col in ("topic", "solution", "stub", "max", "ok"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.topic, f"{r.solution_score:g}", f"{r.stub_score:g}", f"{r.max_score:g}",
                      "yes" if r.ok else "NO")
    console.print(table)
    for r in rows:
        for p in r.problems:
            console.print(f"[red]{r.topic}[/red]: {p}", markup=True, highlight=False)
        for name in r.not_run:
            console.print(f"{r.topic}: not run (needs a CUDA GPU, none here): {name}",
                          markup=False, highlight=False)
    return 0 if all(r.ok for r in rows) else 1


def _cmd_stub(args) -> int:
    from autograder.release import write_stub

    for topic in args.topics:
        console.print(f"wrote {write_stub(topic=topic)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    import importlib
    import pkgutil

    import autograder.commands as commands

    from autograder import __version__

    p = _Parser(prog="autograder", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"autograder {__version__}")
    sub = p.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    sub.add_parser("list", help="the topics, with points and test kinds").set_defaults(fn=_cmd_list)

    g = sub.add_parser("grade", help="grade submissions for a topic")
    g.add_argument("topic")
    g.add_argument("submissions", nargs="+", help="notebooks, .py files or folders")
    g.add_argument("--out", required=True)
    g.add_argument("--sandbox", default="auto", choices=["auto", "process", "docker", "docker-warm"])
    g.add_argument("--seed", type=int, default=None, help="reproduce a run (the report records it)")
    g.add_argument("--jobs", type=_positive_int, default=1, help="submissions graded at once")
    g.add_argument("--executor", default="local", choices=["local", "ray"],
                   help="where jobs run: this host, or a Ray cluster (pip install '.[cluster]')")
    g.add_argument("--address", default=None,
                   help="the Ray cluster: HOST:PORT or ray://HOST:10001 (default: $RAY_ADDRESS)")
    g.add_argument("--force", action="store_true",
                   help="grade again what is already in the gradebook (its rows are replaced)")
    g.add_argument("--course", default=None,
                   help="course config TOML: late policy, due dates (default: ./course.toml if present)")
    g.set_defaults(fn=_cmd_grade)

    v = sub.add_parser("validate", help="solution scores full marks, stub scores zero")
    v.add_argument("topics", nargs="*")
    v.add_argument("--sandbox", default="auto", choices=["auto", "process", "docker", "docker-warm"])
    v.add_argument("--seed", type=int, default=None)
    v.add_argument("--jobs", type=_positive_int, default=1, help="topics validated at once")
    v.set_defaults(fn=_cmd_validate)

    st = sub.add_parser("stub", help="regenerate the student stub from the solved notebook")
    st.add_argument("topics", nargs="+")
    st.set_defaults(fn=_cmd_stub)

    # Further verbs (release, gradebook, image, export, ...) each live in autograder/commands/<verb>.py
    # with a register(subparsers, console) function, so adding one touches no other file.
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"autograder.commands.{info.name}").register(sub, console)
    return p


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit 2); ``-h`` still shows the full usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


def _log_internal(exc: BaseException) -> str:
    import tempfile
    import time
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        fd, path = tempfile.mkstemp(prefix=f"autograder-error-{time.strftime('%Y%m%d-%H%M%S')}-",
                                    suffix=".log")
        with open(fd, "w", encoding="utf-8", errors="replace") as f:
            f.write(" ".join(sys.argv) + "\n" + text)
        return path
    except OSError:
        return "(could not be written; it follows)\n" + text


def main(argv=None) -> int:
    from autograder.errors import UserError

    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except UserError as exc:
        msg = " ".join(str(exc).split()) or type(exc).__name__
        print(f"autograder: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - an internal error: one line here, details in a log
        where = _log_internal(exc)
        first = " ".join(str(exc).split())[:300]
        print(f"autograder: internal error (not your input): {type(exc).__name__}: {first}; "
              f"traceback in {where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
