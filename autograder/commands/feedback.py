"""`autograder feedback TOPIC --out DIR`: one folder (or zip) per student to hand back."""
from __future__ import annotations


def register(sub, console) -> None:
    p = sub.add_parser("feedback", help="one folder (or zip) per student with report.html and "
                                        "results.json, hidden tests as name and score only")
    p.add_argument("topic")
    p.add_argument("--out", required=True, help="folder to write (one entry per student)")
    p.add_argument("--graded", default="out",
                   help="the --out of `autograder grade` (default: out); reports are read from "
                        "<graded>/<topic>/students/")
    p.add_argument("--zip", action="store_true", help="one <student>.zip each instead of a folder")

    def run(args) -> int:
        from autograder.feedback import feedback

        written = feedback(topic=args.topic, graded=args.graded, out=args.out, zip=args.zip)
        console.print(f"wrote feedback for {len(written)} students to {args.out}", highlight=False)
        return 0

    p.set_defaults(fn=run)
