"""`autograder release TOPIC --out DIR`: the student bundle (stub + public otter tests)."""
from __future__ import annotations


def register(sub, console) -> None:
    p = sub.add_parser("release", help="write the student bundle (notebook with points and a submission cell, public tests, README, requirements)")
    p.add_argument("topic")
    p.add_argument("--out", required=True, help="bundle folder (created)")

    def run(args) -> int:
        from autograder.release import release

        out = release(topic=args.topic, out=args.out)
        files = sorted(str(f.relative_to(out)) for f in out.rglob("*") if f.is_file())
        console.print(f"released {args.topic} to {out}: {', '.join(files)}")
        from autograder.topics import get_topic

        name = f"{get_topic(args.topic).name}.ipynb"
        console.print(f"students: see {out / 'README.md'}; they open {name} in JupyterLab, check "
                      f"it with `otter check {name}` (or its grader.check cells) and upload "
                      f"submission/{name}, written by its last cell", highlight=False)
        return 0

    p.set_defaults(fn=run)
