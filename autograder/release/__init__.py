"""Release: the student bundle, generated from the solved notebook (the one source of truth).

The stub is made with nbgrader's own solution-stripping preprocessor: every region between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``raise NotImplementedError()``.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from autograder.topics import Topic, get_topic


def make_stub(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student notebook for a solved notebook: solutions cleared, outputs removed."""
    from nbgrader.preprocessors import ClearSolutions

    nb = copy.deepcopy(solution)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                          "language": "python"})
    nb, _ = ClearSolutions(enforce_metadata=False).preprocess(nb, {})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def stub_text(topic: Topic) -> str:
    solution = nbformat.read(topic.solution_path, as_version=4)
    return nbformat.writes(make_stub(solution)) + "\n"


def write_stub(*, topic: str) -> Path:
    """Regenerate ``assignments/<topic>/<topic>.ipynb`` from the solved notebook."""
    t = get_topic(topic)
    t.stub_path.parent.mkdir(parents=True, exist_ok=True)
    t.stub_path.write_text(stub_text(t))
    return t.stub_path


def public_tests_dir(topic: Topic) -> Path:
    return topic.stub_path.parent / "tests"


def hidden_names(topic: Topic) -> set[str]:
    """Names that must never reach students: probe functions, test ids, helpers of the hidden files.
    Names the stub itself defines (the functions students write) are public by construction."""
    import ast

    names = {t.id for t in topic.tests} | {t.probe for t in topic.tests}
    for fname in ("probes.py", "verdicts.py"):
        path = topic.reference_dir / fname
        if path.is_file():
            tree = ast.parse(path.read_text())
            names |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return names - _stub_defined(topic)


def _stub_defined(topic: Topic) -> set[str]:
    import ast

    nb = nbformat.reads(stub_text(topic), as_version=4)
    out: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        out |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return out


def reference_lines(topic: Topic) -> set[str]:
    """The reference's code lines (stripped, non-trivial) that are not in the stub: if any of
    them shows up in a student bundle, the reference leaked."""
    stub = {ln.strip() for c in nbformat.reads(stub_text(topic), as_version=4).cells
            for ln in c.source.splitlines()}
    lines = set()
    for ln in (topic.reference_dir / "reference.py").read_text().splitlines():
        s = ln.strip()
        if len(s) < 16 or s.startswith(("#", "def ", "import ", "from ", '"""', "return x")):
            continue
        if s in stub:
            continue
        lines.add(s)
    return lines


_QUESTION = re.compile(r"^\s*q(\d+)\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6}\s*Q(\d+)\b[^\n]*)", re.IGNORECASE | re.MULTILINE)
# Import names of the stub -> the distribution a student installs.
_DISTS = {"numpy": "numpy", "torch": "torch", "matplotlib": "matplotlib", "scipy": "scipy",
          "sklearn": "scikit-learn", "pandas": "pandas", "otter": "otter-grader"}
SUBMIT_MARK = "# Submission: run this cell last"


def question_points(topic: Topic) -> dict[int, float]:
    """Points per question, from the graded tests' names ("q2 ..." belongs to question 2)."""
    out: dict[int, float] = {}
    for t in topic.tests:
        m = _QUESTION.match(t.name)
        if m:
            out[int(m.group(1))] = out.get(int(m.group(1)), 0.0) + float(t.points)
    return out


def _gpu_points(topic: Topic) -> float:
    return sum(t.points for t in topic.tests if t.requires == "cuda")


def requirements(topic: Topic) -> list[str]:
    """The exact packages (``name==version`` as installed on the grading host) the notebook
    imports, plus otter-grader for the self-checks and JupyterLab to open it."""
    import ast
    from importlib import metadata

    nb = nbformat.reads(stub_text(topic), as_version=4)
    mods = {"otter"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                mods.add(node.module.split(".")[0])
    dists = sorted({_DISTS[m] for m in mods if m in _DISTS} | {"jupyterlab"})
    lines = []
    for d in dists:
        try:
            lines.append(f"{d}=={metadata.version(d)}")
        except metadata.PackageNotFoundError:
            lines.append(d)
    return lines


def _submit_cell(name: str) -> str:
    return f'''{SUBMIT_MARK}, after saving the notebook (Ctrl+S / Cmd+S).
# It runs the public checks, makes sure every cell is valid Python with nothing left to implement,
# and writes submission/{name}: upload that file.
def _write_submission(notebook="{name}"):
    import ast, json, pathlib
    nb = json.loads(pathlib.Path(notebook).read_text(encoding="utf-8"))
    problems = []
    code = [c for c in nb["cells"] if c.get("cell_type") == "code"]
    for n, cell in enumerate(code, 1):
        src = "".join(cell.get("source", []))
        first = next((ln.strip() for ln in src.splitlines() if ln.strip()), "")[:50]
        py = "\\n".join("pass" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())
        try:
            ast.parse(py)
        except SyntaxError as exc:
            problems.append(f"code cell {{n}} ({{first!r}}): syntax error on line {{exc.lineno}}")
        if src.startswith("{SUBMIT_MARK}"):
            continue  # this cell
        if "raise " + "NotImplementedError" in src:
            problems.append(f"code cell {{n}} ({{first!r}}): still raises NotImplementedError")
        cell["outputs"], cell["execution_count"] = [], None  # a small file; outputs are not graded
    out = pathlib.Path("submission") / notebook
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    for p in problems:
        print("WARNING:", p)
    print(f"wrote {{out}} ({{out.stat().st_size // 1024}} KiB): upload this file"
          + (" (it is graded as it is, warnings included)" if problems else ""))

try:
    get_ipython  # only in Jupyter: the grader skips this cell's work
except NameError:
    pass
else:
    grader.check_all()
    _write_submission()
'''


def bundle_notebook(topic: Topic) -> nbformat.NotebookNode:
    """The stub as students get it: points shown on each question's heading and in the title
    cell, and a last cell that checks the notebook and writes the file to upload."""
    nb = nbformat.reads(stub_text(topic), as_version=4)
    points = question_points(topic)
    gpu = _gpu_points(topic)
    total = f"**{topic.points:g} points**" + (
        f" ({gpu:g} of them for tests that need a CUDA GPU; graded only where the grader has one)"
        if gpu else "")
    titled = False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if not titled and cell.source.lstrip().startswith("#"):
            first, _, rest = cell.source.partition("\n")
            cell.source = f"{first}\n\n{total} in all. Save, then run the last cell to check and " \
                          f"write the file you upload.\n{rest}"
            titled = True

        def label(m):
            q = int(m.group(2))
            if q not in points:
                return m.group(1)
            p = points[q]
            return f"{m.group(1)} ({p:g} point{'s' if p != 1 else ''})"

        cell.source = _HEADING.sub(label, cell.source, count=1)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "## Submit\n\nSave the notebook, then run the cell below. It runs every public check, warns "
        "about cells that do not parse or still raise `NotImplementedError`, and writes "
        f"`submission/{topic.name}.ipynb`: upload that file."))
    nb.cells.append(nbformat.v4.new_code_cell(_submit_cell(f"{topic.name}.ipynb")))
    return nb


def readme(topic: Topic) -> str:
    name = f"{topic.name}.ipynb"
    points = question_points(topic)
    gpu = _gpu_points(topic)
    rows = "\n".join(f"| Q{q} | {p:g} |" for q, p in sorted(points.items()))
    torch = any(r.startswith("torch") for r in requirements(topic))
    return f"""# {topic.title}

Your notebook: `{name}` ({topic.points:g} points{f", {gpu:g} of them need a CUDA GPU" if gpu else ""}).

## 1. Open it

    python3 -m venv .venv && . .venv/bin/activate      # Windows: .venv\\Scripts\\activate
    pip install -r requirements.txt{"  --extra-index-url https://download.pytorch.org/whl/cpu" if torch else ""}
    jupyter lab {name}

`requirements.txt` lists the exact versions the grader uses{" (PyTorch: the CPU build is enough)" if torch else ""}.

## 2. Work and check yourself

Fill in every function that raises `NotImplementedError`. After each question, run its check cell,
`grader.check("q1")` and so on: it runs the public tests of that question in `tests/`. From a
terminal, `otter check {name}` runs all of them.

The public tests are a first check, not the grade: the grader runs more tests (other inputs, every
documented argument, gradients, convergence{", speed" if "P" in topic.kinds else ""}) on the same functions.

| question | points |
|---|---|
{rows}

## 3. Submit

Save the notebook, then run its last cell ("Submit"). It runs all the checks, warns about any cell
that does not parse or still raises `NotImplementedError`, and writes
`submission/{name}`. Upload that file to the course's assignment page, unchanged and under any
name: the LMS records who handed it in.

Only the code cells are graded, in order, in a fresh process without network access: a cell that
reads files, downloads data or needs packages not listed in `requirements.txt` fails there.
"""


def release(*, topic: str, out: str | Path) -> Path:
    """Write the student bundle for ``topic`` into ``out``: the notebook (the stub regenerated from
    the solved notebook, with points per question and a submission cell), the public tests in
    ``tests/`` next to it (the layout ``otter check <topic>.ipynb`` and ``grader =
    otter.Notebook(tests_dir="tests")`` expect), ``README.md`` (open, self-check, submit) and
    ``requirements.txt`` (exact versions). Refuses to write a bundle that names a hidden test or
    contains reference code."""
    import shutil

    t = get_topic(topic)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{t.name}.ipynb").write_text(nbformat.writes(bundle_notebook(t)) + "\n")
    (out / "README.md").write_text(readme(t))
    (out / "requirements.txt").write_text("\n".join(requirements(t)) + "\n")
    tests_out = out / "tests"
    if tests_out.exists():
        shutil.rmtree(tests_out)
    tests_out.mkdir()
    src = public_tests_dir(t)
    if src.is_dir():
        for f in sorted(src.glob("q*.py")):
            shutil.copy2(f, tests_out / f.name)
    leaks = scan_bundle(topic=t.name, bundle=out)
    if leaks:
        shutil.rmtree(out)
        raise RuntimeError(f"release of {t.name} refused, hidden material in the bundle: "
                           + "; ".join(leaks[:5]))
    return out


def scan_bundle(*, topic: str, bundle: str | Path) -> list[str]:
    """Every place in ``bundle`` where a hidden name or a reference code line appears."""
    import re

    t = get_topic(topic)
    names = hidden_names(t)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b") if names else None
    ref_lines = reference_lines(t)
    leaks = []
    for f in sorted(Path(bundle).rglob("*")):
        if not f.is_file():
            continue
        text = f.read_text(errors="replace")
        if pattern:
            for m in pattern.finditer(text):
                leaks.append(f"{f.relative_to(bundle)}: hidden name {m.group(1)!r}")
        flat = text
        if f.suffix == ".ipynb":
            try:
                nb = nbformat.reads(text, as_version=4)
                flat = "\n".join(c.source for c in nb.cells)
            except Exception:  # noqa: BLE001 - not a notebook after all: scan the raw text
                flat = text.replace("\\n", "\n")
        for ln in flat.splitlines():
            s = ln.strip()
            if s in ref_lines:
                leaks.append(f"{f.relative_to(bundle)}: reference line {s!r}")
        for name in ("reference.py", "probes.py", "verdicts.py", "manifest.toml"):
            if f.name == name:
                leaks.append(f"{f.relative_to(bundle)}: hidden file")
    return leaks
