"""Command line: each verb wraps one keyword-only function of the engine, with the same parameters."""
from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

console = Console()


def _cmd_list(args) -> int:
    from autograder.topics import all_topics

    table = Table(title="Topics")
    for col in ("topic", "title", "tests", "points", "kinds"):
        table.add_column(col)
    for t in all_topics():
        table.add_row(t.name, t.title, str(len(t.tests)), f"{t.points:g}", " ".join(t.kinds))
    console.print(table)
    return 0


def _cmd_grade(args) -> int:
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autograder.collect import count
    from autograder.grade import grade
    from autograder.gradebook import default_url

    # --gradebook/--naming/--no-gradebook are added to this parser by autograder/commands/gradebook.py
    book = None if getattr(args, "no_gradebook", False) else (
        getattr(args, "gradebook", None) or default_url(args.out))
    total = count(args.submissions)
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}"),
                  console=console, transient=True, disable=total < 2) as bar:
        task = bar.add_task(f"grading {args.topic}", total=total, last="")
        reports = grade(topic=args.topic, submissions=args.submissions, out=args.out,
                        sandbox=args.sandbox, seed=args.seed, jobs=args.jobs,
                        progress=lambda name: bar.update(task, advance=1, last=name),
                        gradebook=book, naming=getattr(args, "naming", None))
    fresh = [r for r in reports if not r.cached]
    table = Table(title=f"{args.topic}: seed {fresh[0].seed if fresh else args.seed}, "
                        f"sandbox {fresh[0].sandbox if fresh else args.sandbox}")
    for col in ("student", "score", "max", "failed", "grader errors", "time (s)", "graded"):
        table.add_column(col)
    for r in reports:
        failed = sum(t.status == "failed" for t in r.tests)
        table.add_row(r.submission, f"{r.score:g}", f"{r.max_score:g}", str(failed),
                      str(r.grader_errors), f"{r.execution_time:.2f}",
                      "skipped" if r.cached else "now")
    console.print(table)
    if reports:
        mean = sum(r.score for r in reports) / len(reports)
        console.print(f"{len(reports)} submissions: {len(fresh)} graded now, "
                      f"{len(reports) - len(fresh)} already in the gradebook; mean score {mean:.2f}")
    console.print(f"reports written to {Path(args.out)}/<student>/results.json and report.html")
    if book:
        console.print(f"gradebook: {book}")
    return 1 if any(r.grader_errors for r in reports) else 0


def _cmd_validate(args) -> int:
    from autograder.validate import validate

    rows = validate(topics=args.topics or None, sandbox=args.sandbox, seed=args.seed)
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

    p = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = p.add_subparsers(dest="verb", required=True)
    sub.add_parser("list", help="the topics, with points and test kinds").set_defaults(fn=_cmd_list)

    g = sub.add_parser("grade", help="grade submissions for a topic")
    g.add_argument("topic")
    g.add_argument("submissions", nargs="+", help="notebooks, .py files or folders")
    g.add_argument("--out", required=True)
    g.add_argument("--sandbox", default="auto", choices=["auto", "process", "docker"])
    g.add_argument("--seed", type=int, default=None, help="reproduce a run (the report records it)")
    g.add_argument("--jobs", type=int, default=1)
    g.set_defaults(fn=_cmd_grade)

    v = sub.add_parser("validate", help="solution scores full marks, stub scores zero")
    v.add_argument("topics", nargs="*")
    v.add_argument("--sandbox", default="auto", choices=["auto", "process", "docker"])
    v.add_argument("--seed", type=int, default=None)
    v.set_defaults(fn=_cmd_validate)

    st = sub.add_parser("stub", help="regenerate the student stub from the solved notebook")
    st.add_argument("topics", nargs="+")
    st.set_defaults(fn=_cmd_stub)

    # Further verbs (release, gradebook, image, export, ...) each live in autograder/commands/<verb>.py
    # with a register(subparsers, console) function, so adding one touches no other file.
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"autograder.commands.{info.name}").register(sub, console)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
