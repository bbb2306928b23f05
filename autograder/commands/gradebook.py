"""`autograder gradebook export`: the course gradebook as CSV/JSON (one column per topic), the CSV
Canvas's gradebook import takes (`--format canvas`), or per-test scores (`--format tests`).

Also adds the gradebook options to `autograder grade` (--gradebook URL, --no-gradebook,
--naming REGEX), so the core parser needs no edit."""
from __future__ import annotations


def register(sub, console) -> None:
    g = sub.choices.get("grade")
    if g is not None:
        g.add_argument("--gradebook", default=None,
                       help="SQLAlchemy URL or SQLite file (default: <out>/gradebook.sqlite, the "
                            "course gradebook beside the topic folders); "
                            "graded submissions are committed one by one and skipped on re-runs")
        g.add_argument("--no-gradebook", action="store_true", help="record nothing")
        g.add_argument("--naming", default=None,
                       help="regex with a named group 'student' matched on file names (default: "
                            "Canvas 'lastfirst_123_456_name.ipynb', else the file stem)")

    p = sub.add_parser("gradebook", help="the gradebook database")
    verbs = p.add_subparsers(dest="gradebook_verb", required=True)
    e = verbs.add_parser("export", help="grades as CSV/JSON, Canvas's import CSV, or per-test CSV")
    e.add_argument("--gradebook", default="gradebook.sqlite",
                   help="SQLAlchemy URL or SQLite file, e.g. out/gradebook.sqlite "
                        "(default: ./gradebook.sqlite); it must exist")
    e.add_argument("--format", default="csv", choices=["csv", "json", "canvas", "tests"],
                   help="csv/json: one row per student, one column per topic; canvas: the CSV "
                        "Canvas's gradebook import takes (one assignment); tests: per-test scores, "
                        "lateness and LMS ids (one assignment)")
    e.add_argument("--topic", default=None, help="the assignment (needed with canvas/tests when "
                                                 "the gradebook holds several)")
    e.add_argument("--assignment", default=None,
                   help="canvas: the column header, Canvas's 'Name (assignment id)' (default: "
                        "the course config's canvas name for the topic, else the topic)")
    e.add_argument("--course", default=None, help="course config TOML (default: ./course.toml)")
    e.add_argument("--policy", default="latest", choices=["latest", "best"],
                   help="latest (default): the most recently graded submission counts; "
                        "best: the highest score over all graded submissions")
    e.add_argument("--out", default=None, help="file to write (default: print)")

    def run(args) -> int:
        from autograder.gradebook import export

        text = export(gradebook=args.gradebook, format=args.format, out=args.out,
                      policy=args.policy, topic=args.topic, assignment=args.assignment,
                      course=args.course)
        if args.format == "canvas":
            import csv
            import io
            import sys

            rows = list(csv.reader(io.StringIO(text)))[2:]
            missing = [r[0] for r in rows if len(r) > 1 and not r[1]]
            if missing:
                print(f"autograder: warning: {len(missing)} of {len(rows)} students have no Canvas "
                      f"user id (not graded from a Canvas zip); Canvas can match them by name only",
                      file=sys.stderr)
        if args.out:
            console.print(f"wrote {args.out}")
        else:
            print(text, end="")
        return 0

    e.set_defaults(fn=run)
