"""`autograder release TOPIC --out DIR`: the student bundle (stub + public otter tests)."""
from __future__ import annotations


def register(sub, console) -> None:
    p = sub.add_parser("release", help="write the student bundle (stub notebook + public tests)")
    p.add_argument("topic")
    p.add_argument("--out", required=True, help="bundle folder (created)")

    def run(args) -> int:
        from autograder.release import release

        out = release(topic=args.topic, out=args.out)
        files = sorted(str(f.relative_to(out)) for f in out.rglob("*") if f.is_file())
        console.print(f"released {args.topic} to {out}: {', '.join(files)}")
        console.print(f"students run: cd {out} && otter check <topic>.ipynb")
        return 0

    p.set_defaults(fn=run)
