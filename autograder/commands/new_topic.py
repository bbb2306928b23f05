"""`autograder new-topic NN name`: scaffold a topic (every file a topic has, one example test)."""
from __future__ import annotations


def register(sub, console) -> None:
    p = sub.add_parser("new-topic", help="create a new topic's files from a template (one example test)")
    p.add_argument("number", help="two digits, e.g. 42")
    p.add_argument("name", help="lower-case slug, e.g. batch_norm")
    p.add_argument("--title", default=None)

    def run(args) -> int:
        from autograder.release.scaffold import new_topic

        topic = new_topic(number=args.number, name=args.name, title=args.title)
        console.print(f"created {topic}: reference/{topic}/ (manifest.toml, reference.py, probes.py), "
                      f"solutions/{topic}/{topic}.ipynb, assignments/{topic}/{topic}.ipynb (generated), "
                      f"examples/{topic}/, tests/fixtures/{topic}/passes_all.ipynb, "
                      f"tests/topics/test_{topic}.py; next: `autograder validate {topic}`",
                      highlight=False)
        return 0

    p.set_defaults(fn=run)
