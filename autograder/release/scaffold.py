"""`autograder new-topic NN name`: a new topic with the same set of files every topic has.

    reference/<t>/manifest.toml   one example test (a values test with its tolerance's reason)
    reference/<t>/reference.py    the reference implementation of the example function
    reference/<t>/probes.py       the example's probe (inputs unchanged, dtype, non-square shapes)
    solutions/<t>/<t>.ipynb       the solved notebook, with BEGIN/END SOLUTION markers
    assignments/<t>/<t>.ipynb     the stub, generated from it
    examples/<t>/                 example submissions (empty: add some)
    tests/fixtures/<t>/           fixtures named by outcome (passes_all.ipynb: the solution)
    tests/topics/test_<t>.py      BUGGY / ALTERNATIVES, graded with the shared helpers
"""
from __future__ import annotations

import re
from pathlib import Path

from autograder.errors import UserError

_MANIFEST = '''title = "{title}"
kinds = ["V"]
# Modules or dotted functions the submission may not import or call (scanned, blocked at run time).
forbidden = ["torch", "sklearn"]

[limits]
wall_s = 60
cpu_s = 60
memory_mb = 1024

[[tests]]
id = "scale_rows_values"
name = "q1 scale_rows: values, non-square input left unchanged, dtype kept"
points = 2
kind = "V"
# Measured: a float32 answer differs from the float64 reference by < 1e-6 relative on these
# inputs (replace with your own measurement: benchmarks/float32_error.py {name}).
rtol = 1e-5
atol = 1e-8
'''

_REFERENCE = '''"""Reference implementation for topic {name} (hidden: never ships to students)."""
import numpy as np


def scale_rows(x, factor=2.0):
    """Every row of x (N, D) times factor; a new array of x's dtype, x unchanged."""
    return (x * factor).astype(x.dtype)
'''

_PROBES = '''"""Graded probes for topic {name}. Each feeds seeded inputs to the code under test and returns
plain observations; the grader compares the same probe run on the reference."""
import numpy as np


def scale_rows_values(sub, rng):
    x = rng.standard_normal((5, 3))  # (N, D): non-square, so a transposed answer shows
    x32 = rng.standard_normal((4, 7)).astype(np.float32)  # (4, 7)
    before = x.copy()
    out = sub.scale_rows(x)
    return {{"default": out,
            "factor": sub.scale_rows(x, factor=-0.5),  # a documented argument, non-default
            "float32": sub.scale_rows(x32), "float32_dtype": str(np.asarray(sub.scale_rows(x32)).dtype),
            "input_unchanged": bool(np.array_equal(x, before))}}
'''

_TEST = '''"""Topic {name} fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "{name}"
# fixture -> the tests it must fail
BUGGY: dict[str, list[str]] = {{}}
ALTERNATIVES = ["passes_all.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])
'''


def _solution(title: str):
    import nbformat

    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        v4.new_markdown_cell(f"# {title}\n\nImplement every function that raises "
                             "`NotImplementedError`; run `grader.check(\"q1\")` as you go."),
        v4.new_code_cell('import numpy as np\nimport otter\ngrader = otter.Notebook(tests_dir="tests")'),
        v4.new_markdown_cell("## Q1 scale_rows\n\n`scale_rows(x, factor=2.0)`: every row of `x` "
                             "(N, D) times `factor`, as a new array of `x`'s dtype; `x` is left "
                             "unchanged."),
        v4.new_code_cell('def scale_rows(x, factor=2.0):\n'
                         '    """x: (N, D) -> (N, D), same dtype; x unchanged."""\n'
                         '    ### BEGIN SOLUTION\n'
                         '    return (x * factor).astype(x.dtype)\n'
                         '    ### END SOLUTION'),
        v4.new_code_cell('grader.check("q1")'),
    ]
    return nb


def new_topic(*, number: str, name: str, title: str | None = None, root: str | Path | None = None) -> str:
    """Create topic ``<NN>_<name>`` under ``root`` (the project root): every file a topic has,
    with one example test that passes ``autograder list`` and ``validate``. Refuses to overwrite."""
    import nbformat

    from autograder.release import stub_text
    from autograder.topics import find_root, load_topic

    if not re.fullmatch(r"\d{2}", str(number)):
        raise UserError(f"topic number {number!r}: two digits, e.g. 42")
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", name):
        raise UserError(f"topic name {name!r}: lower-case letters, digits and _, e.g. batch_norm")
    root = Path(root) if root else find_root()
    topic = f"{number}_{name}"
    taken = [p.name for p in (root / "reference").glob(f"{number}_*")]
    if taken:
        raise UserError(f"topic number {number} is taken by {taken[0]}")
    title = title or name.replace("_", " ").capitalize()
    ref = root / "reference" / topic
    files = {
        ref / "manifest.toml": _MANIFEST.format(title=title.replace('"', "'"), name=topic),
        ref / "reference.py": _REFERENCE.format(name=topic),
        ref / "probes.py": _PROBES.format(name=topic),
        root / "tests" / "topics" / f"test_{topic}.py": _TEST.format(name=topic),
        root / "examples" / topic / ".gitkeep": "",
    }
    for path in files:
        if path.exists():
            raise UserError(f"{path} exists already")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    sol = root / "solutions" / topic / f"{topic}.ipynb"
    sol.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_solution(title), sol)
    t = load_topic(ref)  # validates the manifest
    t.stub_path.parent.mkdir(parents=True, exist_ok=True)
    t.stub_path.write_text(stub_text(t))
    fx = root / "tests" / "fixtures" / topic
    fx.mkdir(parents=True, exist_ok=True)
    (fx / "passes_all.ipynb").write_text(sol.read_text())
    return topic
