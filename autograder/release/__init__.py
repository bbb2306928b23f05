"""Release: the student bundle, generated from the solved notebook (the one source of truth).

The stub is made with nbgrader's own solution-stripping preprocessor: every region between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``raise NotImplementedError()``.
"""
from __future__ import annotations

import copy
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


def release(*, topic: str, out: str | Path) -> Path:
    """Write the student bundle for ``topic`` into ``out``: the stub (regenerated from the solved
    notebook, never the committed file blindly) and the public tests in ``tests/`` next to it, the
    layout ``otter check <topic>.ipynb`` and ``grader = otter.Notebook(tests_dir="tests")`` expect.
    Refuses to write a bundle that names a hidden test or contains reference code."""
    import shutil

    t = get_topic(topic)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{t.name}.ipynb").write_text(stub_text(t))
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
