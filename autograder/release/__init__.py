"""Release: the student bundle, generated from the solved notebook (the one source of truth).

The stub is made with nbgrader's own solution-stripping preprocessor: every region between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``raise NotImplementedError()``.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.topics import Topic, get_topic

if TYPE_CHECKING:
    import nbformat


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
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
    """Names that must never reach students: hidden tests' ids and probes, verdicts.py's functions.
    Names the stub itself defines (the functions students write) and the shipped probes' names are
    public by construction."""
    import ast

    # The probes of visible tests ship with the self-check (public by design: they hold inputs,
    # never expected values); hidden tests' ids and probes, and verdicts.py, never do.
    hidden = [t for t in topic.tests if t.visibility != "visible"]
    names = {t.id for t in hidden} | {t.probe for t in hidden}
    path = topic.reference_dir / "verdicts.py"
    if path.is_file():
        tree = ast.parse(path.read_text())
        names |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return names - _stub_defined(topic) - _public_probe_names(topic)


def _stub_defined(topic: Topic) -> set[str]:
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
    kinds = [what for what, has in (
        ("convergence on held-out data", any(t.check == "custom" for t in topic.tests)),
        ("speed", any(t.check == "speed" for t in topic.tests)),
        ("memory", any(t.check == "memory" for t in topic.tests)),
        ("GPU", bool(gpu))) if has]
    offline = (f" Tests that cannot run on your machine ({', '.join(kinds)}) are graded only by "
               "the grader: each `tests/qN.py` lists them at the top." if kinds else "")
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

The public checks are the grader's own tests, run on your functions with fixed public inputs and
decided as the grader decides them (same tolerances, same messages); the grade runs them again on
fresh random inputs, so passing here is necessary, not sufficient.{offline} Keep the `selfcheck/`
folder next to the notebook.

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
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
    write_public_tests(t, out)
    leaks = scan_bundle(topic=t.name, bundle=out)
    if leaks:
        shutil.rmtree(out)
        raise RuntimeError(f"release of {t.name} refused, hidden material in the bundle: "
                           + "; ".join(leaks[:5]))
    return out


def scan_bundle(*, topic: str, bundle: str | Path) -> list[str]:
    """Every place in ``bundle`` where a hidden name or a reference code line appears."""
    import nbformat  # here, not at import: it loads jsonschema (~2-20 s)
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
        rel = f.relative_to(bundle).as_posix()
        # The self-check's probes and its copy of the (public) package are public code; a line
        # they share with the reference (an import, a shape helper) is not the reference leaking.
        public_code = rel == "selfcheck/probes.py" or rel.startswith("selfcheck/autograder/")
        for ln in flat.splitlines() if not public_code else ():
            s = ln.strip()
            if s in ref_lines:
                leaks.append(f"{f.relative_to(bundle)}: reference line {s!r}")
        for name in ("reference.py", "probes.py", "verdicts.py", "manifest.toml"):
            if f.name == name and rel != "selfcheck/probes.py":
                leaks.append(f"{f.relative_to(bundle)}: hidden file")
    return leaks


# --- The public self-check: generated from the grader's own probes and checks -------------------

# Checks the student's kernel can decide exactly as the grader does, from the reference's
# observations at the public seed alone. Timed checks (speed, memory) are measured by the grader
# from outside the process; custom verdicts (verdicts.py) stay hidden.
PUBLIC_CHECKS = ("allclose", "gradient")


def public_skip_reason(test) -> str | None:
    """Why ``test`` has no public self-check (None: it has one)."""
    if test.visibility != "visible":
        return "a hidden test"
    if test.requires:
        return f"needs {'a CUDA GPU' if test.requires == 'cuda' else test.requires}"
    timing = test.options.get("timing")
    if isinstance(timing, dict) and timing.get("feed"):
        return "trained on data the grader draws, and scored on held-out data that does not ship"
    if isinstance(timing, dict) or test.check in ("speed", "memory"):
        return "timed or measured by the grader, from outside your process"
    if test.check not in PUBLIC_CHECKS:
        return "decided on the grader's side only (e.g. against data that does not ship)"
    return None


def question_of(test) -> int | None:
    m = _QUESTION.match(test.name)
    return int(m.group(1)) if m else None


def _public_probe_names(topic: Topic) -> set[str]:
    import ast

    path = topic.reference_dir / "probes.py"
    if not path.is_file():
        return set()
    tree = ast.parse(_public_probes_source(topic))
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _public_probes_source(topic: Topic) -> str:
    """probes.py without the probe functions of hidden tests (none of the other probes uses them)."""
    import ast

    src = (topic.reference_dir / "probes.py").read_text()
    hidden = {t.probe for t in topic.tests if t.visibility != "visible"}
    if not hidden:
        return src
    lines = src.splitlines(keepends=True)
    for node in sorted(ast.parse(src).body, key=lambda n: -n.lineno):
        if isinstance(node, ast.FunctionDef) and node.name in hidden:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            del lines[start:node.end_lineno]
    return "".join(lines)


def expected_observations(topic: Topic, tests) -> dict[str, tuple[dict, dict]]:
    """The reference's observations for ``tests`` at the public seed, encoded as the harness
    encodes them: ``{test id: (scalars, arrays)}``. The reference runs here, in the trusted release
    process, exactly as the harness runs it (one cell, then each probe with ``probe_rng``)."""
    import json
    import types

    from autograder.release.public import PUBLIC_SEED
    from autograder.runtime.harness import encode_observations, probe_rng

    ref = types.ModuleType("submission")
    exec(compile(topic.source("reference.py"), "<cell 1>", "exec"), ref.__dict__)
    probes = types.ModuleType("probes")
    exec(compile(topic.source("probes.py"), "<probes>", "exec"), probes.__dict__)
    out = {}
    for test in tests:
        obs = getattr(probes, test.probe)(ref, probe_rng(PUBLIC_SEED, test.id), **test.args)
        scalars, arrays = encode_observations(obs)
        out[test.id] = (json.loads(json.dumps(scalars)), arrays)
    return out


def _vendored_modules(probes_source: str) -> dict[str, Path]:
    """The ``autograder`` modules the self-check imports (transitively, lazy imports included):
    module name -> source file."""
    import ast

    pkg_root = Path(__file__).resolve().parent.parent.parent

    def file_of(mod: str) -> Path | None:
        p = pkg_root / mod.replace(".", "/")
        if (p / "__init__.py").is_file():
            return p / "__init__.py"
        return p.with_suffix(".py") if p.with_suffix(".py").is_file() else None

    def imports(tree, mod: str, is_pkg: bool) -> set[str]:
        out = set()
        for n in ast.walk(tree):
            if isinstance(n, ast.Import):
                out |= {a.name for a in n.names}
            elif isinstance(n, ast.ImportFrom):
                base = n.module or ""
                if n.level:
                    parts = mod.split(".")[: None if is_pkg else -1]
                    parts = parts[: len(parts) - (n.level - 1)]
                    base = ".".join(parts + ([n.module] if n.module else []))
                out.add(base)
                out |= {f"{base}.{a.name}" for a in n.names}
        return {m for m in out if m.split(".")[0] == "autograder"}

    seen: dict[str, Path] = {}
    todo = ["autograder.release.public", *imports(ast.parse(probes_source), "probes", False)]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        f = file_of(mod)
        if f is None:
            continue
        seen[mod] = f
        parts = mod.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += imports(ast.parse(f.read_text()), mod, f.name == "__init__.py")
    return seen


def _public_test_file(topic: Topic, q: int, tests: list, skipped: list) -> str:
    from autograder.release.public import PUBLIC_SEED

    points = sum(float(t.points) for t in tests + [t for t, _ in skipped])
    lines = [
        f'"""Public self-check for Q{q} of {topic.name}, generated by `autograder release` (do not edit).',
        "",
        "Each test case runs one of the grader's own tests on your notebook, with the inputs of the",
        f"public seed {PUBLIC_SEED}, and decides it as the grader does (same check, same tolerances,",
        "same message). The grade uses other, random inputs: passing here is necessary, not sufficient.",
    ]
    if skipped:
        lines += ["", "Graded, but not checked here:"]
        lines += [f"  - {t.name} ({why})" for t, why in skipped]
    lines += ['"""', "import os", "import sys", "", "from otter.test_files import test_case", "",
              "OK_FORMAT = False", f'name = "q{q}"', f"points = {points:g}", "", "",
              "def _selfcheck():",
              "    # selfcheck/ (next to the notebook) holds the probes, the expected values of the",
              "    # public seed and the grader's checks.",
              "    for base in (os.getcwd(), os.path.dirname(os.getcwd())):",
              '        folder = os.path.join(base, "selfcheck")',
              '        if os.path.isfile(os.path.join(folder, "autograder", "release", "public.py")):',
              "            if folder not in sys.path:",
              "                sys.path.insert(0, folder)",
              "            from autograder.release import public",
              "            return public, folder",
              '    raise FileNotFoundError("selfcheck/ is not next to the notebook: run it from the '
              'folder you were given")',
              "", "",
              "@test_case(points=None, hidden=False)",
              "def test_no_forbidden_api(env):",
              "    public, _ = _selfcheck()",
              f"    public.check_forbidden(env, {list(topic.forbidden)!r})",
              ]
    for t in tests:
        lines += ["", "", "@test_case(points=None, hidden=False)",
                  f"def test_{t.id}(env):",
                  f"    # {t.name}",
                  "    public, folder = _selfcheck()",
                  f"    public.check(env, {t.id!r}, folder)"]
    return "\n".join(lines) + "\n"


def write_public_tests(topic: Topic, out: Path) -> dict[int, list[str]]:
    """Write ``tests/q<N>.py`` (one per question) and ``selfcheck/`` into the bundle ``out``:
    the public probes, the reference's observations at the public seed (JSON and ``.npz``), and the
    vendored parts of ``autograder`` that decide them. Returns ``{question: [test ids checked]}``."""
    import json
    import shutil
    from dataclasses import asdict

    import numpy as np

    out = Path(out)
    plan: dict[int, tuple[list, list]] = {}
    for t in topic.tests:
        q = question_of(t)
        if q is None:
            continue
        why = public_skip_reason(t)
        plan.setdefault(q, ([], []))[1 if why else 0].append((t, why) if why else t)
    checked = [t for tests, _ in plan.values() for t in tests]
    folder = out / "selfcheck"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "expected").mkdir(parents=True)
    probes_source = _public_probes_source(topic)
    (folder / "probes.py").write_text(probes_source)
    for mod, src in _vendored_modules(probes_source).items():
        dest = folder / src.relative_to(Path(__file__).resolve().parent.parent.parent)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if mod == "autograder.release":  # the release tooling itself stays home
            dest.write_text('"""The public self-check (see public.py)."""\n')
        else:
            shutil.copyfile(src, dest)
    for tid, (scalars, arrays) in expected_observations(topic, checked).items():
        test = next(t for t in checked if t.id == tid)
        meta = {"topic": topic.name, "forbidden": list(topic.forbidden),
                "test": asdict(test), "scalars": scalars, "arrays": sorted(arrays)}
        (folder / "expected" / f"{tid}.json").write_text(json.dumps(meta, indent=1) + "\n")
        if arrays:
            np.savez(folder / "expected" / f"{tid}.npz", **arrays)
    (out / "tests").mkdir(exist_ok=True)
    for q, (tests, skipped) in sorted(plan.items()):
        (out / "tests" / f"q{q}.py").write_text(_public_test_file(topic, q, tests, skipped))
    return {q: [t.id for t in tests] for q, (tests, _) in plan.items()}


_SELFCHECK_RUNNER = r'''
import json, sys
bundle, cells_json = sys.argv[1], sys.argv[2]
sys.path.insert(0, bundle + "/selfcheck")
from autograder.release import public
cells = json.load(open(cells_json))
env = {"__name__": "__main__", "In": [""] + [c for c in cells]}
for i, src in enumerate(cells, 1):
    try:
        exec(compile(src, f"<cell {i}>", "exec"), env)
    except BaseException:  # noqa: BLE001 - a failing cell fails its tests, as in the grader
        pass
out = {}
for tid in json.loads(sys.argv[3]):
    r = public.run(env, tid, bundle + "/selfcheck")
    out[tid] = [r.status, r.output]
print("\nSELFCHECK " + json.dumps(out))
'''


def selfcheck_notebook(*, bundle: str | Path, notebook: str | Path, timeout: float = 300) -> dict:
    """Run every public self-check of ``bundle`` on ``notebook`` (its code cells as the grader reads
    them, run in order in a fresh Python process) without Jupyter: ``{test id: (status, message)}``.
    For measuring that the self-check agrees with the grade; students use ``otter check``."""
    import json
    import subprocess
    import sys
    import tempfile

    from autograder.notebook import load_submission

    bundle = Path(bundle).resolve()
    ids = sorted(p.stem for p in (bundle / "selfcheck" / "expected").glob("*.json"))
    sub = load_submission(Path(notebook))
    if sub.fatal:
        return {tid: ("failed", sub.fatal) for tid in ids}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([c.source for c in sub.cells], f)
    try:
        proc = subprocess.run([sys.executable, "-c", _SELFCHECK_RUNNER, str(bundle), f.name,
                               json.dumps(ids)], capture_output=True, text=True, timeout=timeout,
                              cwd=bundle, env={k: v for k, v in __import__("os").environ.items()
                                               if k != "PYTHONPATH"})
    except subprocess.TimeoutExpired:
        return {tid: ("failed", "timed out") for tid in ids}
    finally:
        Path(f.name).unlink(missing_ok=True)
    line = next((ln for ln in proc.stdout.splitlines()[::-1] if ln.startswith("SELFCHECK ")), None)
    if line is None:
        return {tid: ("failed", f"the run ended early ({proc.returncode}): {proc.stderr[-300:]}")
                for tid in ids}
    return {k: tuple(v) for k, v in json.loads(line[len("SELFCHECK "):]).items()}


# Fixtures left out of the measurement: those that would harm an unsandboxed run (the self-check
# runs in the student's own kernel, which suffers them too), and those that search this host for
# the hidden reference (a student's machine has none; here they would find it).
_UNSAFE_FIXTURE = re.compile(r"bomb|infinite_loop|reads_hidden")


def measure_agreement(*, topic: str, fixtures: str | Path, bundle: str | Path,
                      out: str | Path, sandbox: str = "process", jobs: int = 2) -> dict:
    """For every fixture notebook in ``fixtures``: each public self-check's pass/fail against the
    grader's on the same (public) seed. Returns ``{"agree": n, "disagree": [(fixture, test id,
    public status, grader status)], "fixtures": n, "skipped": [names]}``."""
    from autograder.grade import grade_one, reference_observations
    from autograder.release.public import PUBLIC_SEED
    from autograder.sandbox import get_sandbox

    t = get_topic(topic)
    files = sorted(p for p in Path(fixtures).iterdir() if p.suffix == ".ipynb")
    skipped = [p.name for p in files if _UNSAFE_FIXTURE.search(p.stem)]
    files = [p for p in files if not _UNSAFE_FIXTURE.search(p.stem)]
    from concurrent.futures import ThreadPoolExecutor

    box = get_sandbox(sandbox)
    ref = reference_observations(t, PUBLIC_SEED)  # the grader's own run, at the public seed

    def both(item):
        slot, p = item
        report = grade_one(topic=t, path=p, out_dir=Path(out) / p.stem, seed=PUBLIC_SEED,
                           sandbox=box, ref=ref, slot=slot % jobs)
        return p, report, selfcheck_notebook(bundle=bundle, notebook=p)

    with ThreadPoolExecutor(jobs) as pool:
        runs = list(pool.map(both, enumerate(files)))
    agree, disagree = 0, []
    for p, report, public in runs:
        graded = {t.id: t.status for t in report.tests}
        for tid, (status, _msg) in public.items():
            if (status == "passed") == (graded.get(tid) == "passed"):
                agree += 1
            else:
                disagree.append((p.name, tid, status, graded.get(tid)))
    return {"agree": agree, "disagree": disagree, "fixtures": len(files), "skipped": skipped}
