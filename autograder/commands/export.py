"""`autograder export gradescope TOPIC --out autograder.zip`: Gradescope's autograder zip."""
from __future__ import annotations


def register(sub, console) -> None:
    p = sub.add_parser("export", help="export a topic's autograder to another platform")
    targets = p.add_subparsers(dest="export_target", required=True)
    g = targets.add_parser("gradescope", help="autograder.zip (setup.sh + run_autograder)")
    g.add_argument("topic")
    g.add_argument("--out", default="autograder.zip")

    def run(args) -> int:
        import zipfile

        from autograder.export import export_gradescope

        path = export_gradescope(topic=args.topic, out=args.out)
        with zipfile.ZipFile(path) as zf:
            n = len(zf.namelist())
        console.print(f"wrote {path} ({n} files, {path.stat().st_size // 1024} KiB): upload it as "
                      f"the assignment's autograder on Gradescope")
        return 0

    g.set_defaults(fn=run)
