"""Release: the student bundle is generated from the solved notebook, runs under the real
`otter check`, and never carries hidden material."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.release import (hidden_names, reference_lines, release, scan_bundle, stub_text)
from autograder.topics import all_topics, get_topic

TOPIC = "10_dl_basics"


@pytest.mark.parametrize("topic", [t.name for t in all_topics() if t.solution_path.is_file()])
def test_committed_stub_equals_generated(topic):
    t = get_topic(topic)
    assert t.stub_path.is_file(), f"no stub for {topic}: run `autograder stub {topic}`"
    assert t.stub_path.read_text() == stub_text(t), (
        f"{t.stub_path} differs from the stub generated from {t.solution_path}: "
        f"run `autograder stub {topic}` (never edit the stub by hand)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return release(topic=TOPIC, out=tmp_path_factory.mktemp("bundle"))


def test_bundle_layout(bundle):
    files = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file())
    top = [f for f in files if not f.startswith("selfcheck/")]
    assert top == [f"{TOPIC}.ipynb", "README.md", "requirements.txt"] + [
        f"tests/q{i}.py" for i in range(1, 6)]
    # the self-check: public probes, the reference's observations at the public seed only, and
    # the vendored checks that decide them; never the reference, verdicts or the manifest
    assert "selfcheck/probes.py" in files and "selfcheck/autograder/verdict/__init__.py" in files
    assert {f"selfcheck/expected/{t.id}.json" for t in get_topic(TOPIC).tests} <= set(files)
    assert not [f for f in files if f.rsplit("/", 1)[-1] in
                ("reference.py", "verdicts.py", "manifest.toml")]
    nb = nbformat.read(bundle / f"{TOPIC}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert 'otter.Notebook(tests_dir="tests")' in code
    assert "raise NotImplementedError" in code
    assert "### BEGIN SOLUTION" not in code


def test_bundle_has_no_hidden_name_or_reference_code(bundle):
    t = get_topic(TOPIC)
    names = hidden_names(t)
    # topic 10 has no verdicts.py and no hidden test: its probes ship, so no name is hidden
    assert not {"activations_forward", "losses_backward", "_loss_inputs"} & names
    lines = reference_lines(t)
    assert len(lines) > 10
    text = "\n".join(p.read_text() for p in bundle.rglob("*") if p.is_file()
                     and p.suffix != ".npz" and "selfcheck/autograder" not in p.as_posix()
                     and p.name != "probes.py")
    nb = nbformat.read(bundle / f"{TOPIC}.ipynb", as_version=4)
    text += "\n".join(c.source for c in nb.cells)
    for name in names:
        assert not re.search(rf"\b{re.escape(name)}\b", text), f"hidden name {name} in bundle"
    for test in t.tests:
        if test.id in names:
            assert test.id not in text
    for line in lines:
        assert line not in text, f"reference code {line!r} in bundle"
    for hidden_file in ("reference.py", "verdicts.py", "manifest.toml"):
        assert not list(bundle.rglob(hidden_file))
    assert scan_bundle(topic=TOPIC, bundle=bundle) == []


def test_scan_catches_leaks(tmp_path):
    t = get_topic(TOPIC)
    shutil.copy(t.solution_path, tmp_path / f"{TOPIC}.ipynb")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "q9.py").write_text("# checks like losses_extreme do\n")
    (tmp_path / "selfcheck").mkdir()
    (tmp_path / "selfcheck" / "verdicts.py").write_text("\n")
    leaks = scan_bundle(topic=TOPIC, bundle=tmp_path)
    assert any("reference line" in x for x in leaks)
    assert any("verdicts.py: hidden file" in x for x in leaks)
    # a topic with verdicts.py: its verdict functions are hidden names
    t9 = get_topic("09_neural_network")
    hidden = sorted(hidden_names(t9))
    assert hidden
    (tmp_path / "tests" / "q8.py").write_text(f"# {hidden[0]}\n")
    assert any(hidden[0] in x for x in scan_bundle(topic=t9.name, bundle=tmp_path))


def _otter_check(bundle: Path, notebook: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "otter", "check", notebook.name, "-t", "tests"],
                          cwd=bundle, capture_output=True, text=True, timeout=300)
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_otter_check_on_released_bundle(tmp_path):
    b = release(topic=TOPIC, out=tmp_path / "bundle")
    # The student fills in the stub: the solved notebook stands for their finished work.
    solved = b / "solved.ipynb"
    shutil.copy(get_topic(TOPIC).solution_path, solved)
    out = _otter_check(b, solved)
    assert "All tests passed!" in out, out
    out = _otter_check(b, b / f"{TOPIC}.ipynb")
    assert "All tests passed!" not in out
    for q in range(1, 6):
        assert f"q{q} results:" in out, out
    assert "NotImplementedError" in out and "Test case failed" in out


@pytest.mark.slow
def test_grader_check_inside_the_notebook(tmp_path):
    from nbclient import NotebookClient

    b = release(topic=TOPIC, out=tmp_path / "bundle")
    nb = nbformat.read(get_topic(TOPIC).solution_path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(b)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and "grader.check(" in c.source]
    assert len(checks) == 5
    for c in checks:
        text = str(c.outputs)
        assert "passed" in text and "failed" not in text.lower(), text


def test_bundle_readme_points_requirements_and_submit_cell(bundle, tmp_path, monkeypatch):
    from autograder.release import question_points

    t = get_topic(TOPIC)
    readme = (bundle / "README.md").read_text()
    assert f"otter check {TOPIC}.ipynb" in readme and f"submission/{TOPIC}.ipynb" in readme
    assert "<topic>" not in readme
    reqs = (bundle / "requirements.txt").read_text().split()
    assert any(r.startswith("numpy==") for r in reqs) and any(r.startswith("otter-grader==") for r in reqs)
    assert all("==" in r for r in reqs)  # exact versions
    points = question_points(t)
    assert sum(points.values()) == t.points
    nb = nbformat.read(bundle / f"{TOPIC}.ipynb", as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for q, p in points.items():
        assert re.search(rf"Q{q}\b[^\n]*\({p:g} points?\)", md), (q, p)
    assert f"**{t.points:g} points**" in md
    # the submission cell: a no-op where the grader runs it, a checked copy in Jupyter
    src = nb.cells[-1].source
    exec(compile(src, "submit", "exec"), {})  # no get_ipython: nothing happens
    assert not (bundle / "submission").exists()
    work = tmp_path / "student"
    shutil.copytree(bundle, work)
    monkeypatch.chdir(work)
    ran = []

    class Grader:
        def check_all(self):
            ran.append(True)

    exec(compile(src, "submit", "exec"), {"get_ipython": lambda: None, "grader": Grader()})
    written = work / "submission" / f"{TOPIC}.ipynb"
    assert ran and written.is_file()
    assert nbformat.read(written, as_version=4).cells[-1].source == src


def test_public_seed_never_drawn_for_grading(monkeypatch):
    import secrets

    from autograder.release import public

    draws = iter([public.PUBLIC_SEED, public.PUBLIC_SEED, 7])
    monkeypatch.setattr(secrets, "randbelow", lambda n: next(draws))
    assert public.fresh_seed() == 7
    # every grading entry point draws its seed there
    for mod in ("grade", "export", "validate"):
        src = (get_topic(TOPIC).root / "autograder" / mod / "__init__.py").read_text()
        assert "randbelow" not in src and "_fresh_seed()" in src, mod


def test_expected_values_are_the_public_seeds_only(bundle):
    import json

    import numpy as np

    from autograder.release import expected_observations
    from autograder.release.public import PUBLIC_SEED

    t = get_topic(TOPIC)
    test = next(x for x in t.tests if x.id == "activations_forward")
    meta = json.loads((bundle / "selfcheck" / "expected" / f"{test.id}.json").read_text())
    assert meta["test"]["id"] == test.id and meta["forbidden"] == list(t.forbidden)
    with np.load(bundle / "selfcheck" / "expected" / f"{test.id}.npz", allow_pickle=False) as z:
        shipped = {k: z[k] for k in z.files}
    assert PUBLIC_SEED not in (0, 1, 42)
    other = expected_observations(t, [test])[test.id][1]  # the public seed: the same values
    assert all(np.array_equal(shipped[k], other[k]) for k in shipped)


def test_generated_file_says_what_it_does_not_check(tmp_path):
    from autograder.release import public_skip_reason

    t = get_topic("11_cnn")
    b = release(topic=t.name, out=tmp_path / "b")
    skipped = [x for x in t.tests if public_skip_reason(x)]
    assert skipped, "topic 11 has a speed test"
    text = "\n".join(p.read_text() for p in (b / "tests").glob("q*.py"))
    for x in skipped:
        assert x.name in text and f"test_{x.id}(" not in text


@pytest.mark.slow
def test_public_self_check_agrees_with_the_grade(tmp_path):
    """For every fixture of topic 10 (but the bombs and endless loops, which a student's own
    kernel would suffer too), each public self-check passes exactly when the grader's test passes
    on the same, public, seed."""
    from autograder.release import measure_agreement

    b = release(topic=TOPIC, out=tmp_path / "bundle")
    r = measure_agreement(topic=TOPIC, fixtures=get_topic(TOPIC).root / "tests" / "fixtures" / TOPIC,
                          bundle=b, out=tmp_path / "graded")
    assert r["fixtures"] >= 20 and r["agree"] >= 20 * 8
    assert r["disagree"] == [], r["disagree"]


def test_self_check_message_is_the_reports(tmp_path):
    """A buggy function fails its public check with the grader's message (shape first)."""
    from autograder.release import selfcheck_notebook

    b = release(topic=TOPIC, out=tmp_path / "bundle")
    fx = get_topic(TOPIC).root / "tests" / "fixtures" / TOPIC
    res = selfcheck_notebook(bundle=b, notebook=fx / "wrong_shape_relu.ipynb")
    status, msg = res["activations_forward"]
    assert status == "failed" and "shape" in msg
    assert all(s == "passed" for s, _ in selfcheck_notebook(
        bundle=b, notebook=fx / "passes_all.ipynb").values())


def test_self_check_runtime_imports_only_what_students_have(bundle):
    """The vendored runtime runs in the student's own Python (any OS, 3.10+): standard library
    modules every platform has, and NumPy; never the grader's own dependencies."""
    code = ("import sys; sys.path.insert(0, 'selfcheck'); from autograder.release import public; "
            "import autograder.verdict, autograder.checks.forbidden, autograder.runtime.harness; "
            "bad = {'tomllib', 'resource', 'rich', 'nbformat', 'jsonschema', 'torch', 'nbgrader'}; "
            "print(sorted(bad & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=bundle, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
