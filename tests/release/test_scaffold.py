"""`autograder new-topic` scaffolds every file a topic has; the result lists, validates (solution
full marks, stub zero) and releases; `validate` flags a stale stub."""
import subprocess
import sys

import nbformat



def _cli(root, *args):
    import os

    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_new_topic_scaffold_lists_validates_and_flags_a_stale_stub(tmp_path):
    (tmp_path / "reference").mkdir()
    (tmp_path / "assignments").mkdir()
    r = _cli(tmp_path, "new-topic", "42", "scale_demo")
    assert r.returncode == 0, r.stderr
    t = "42_scale_demo"
    for rel in (f"reference/{t}/manifest.toml", f"reference/{t}/reference.py",
                f"reference/{t}/probes.py", f"solutions/{t}/{t}.ipynb", f"assignments/{t}/{t}.ipynb",
                f"tests/topics/test_{t}.py", f"tests/fixtures/{t}/passes_all.ipynb"):
        assert (tmp_path / rel).is_file(), rel
    assert (tmp_path / "examples" / t).is_dir()
    sol = "\n".join(c.source for c in nbformat.read(tmp_path / f"solutions/{t}/{t}.ipynb", 4).cells)
    assert "### BEGIN SOLUTION" in sol and "### END SOLUTION" in sol
    r = _cli(tmp_path, "list")
    assert r.returncode == 0 and t in r.stdout, r.stdout + r.stderr
    r = _cli(tmp_path, "new-topic", "42", "again")
    assert r.returncode == 2 and "taken" in r.stderr

    (row,) = _validate(tmp_path, t)
    assert row.solution_score == row.max_score == 2 and row.stub_score == 0
    assert not [p for p in row.problems if "graded tests" not in p], row.problems
    stub = tmp_path / f"assignments/{t}/{t}.ipynb"
    stub.write_text(stub.read_text().replace("scale_rows", "scale_rowz", 1))
    (row,) = _validate(tmp_path, t)
    assert any("differs from the one generated" in p for p in row.problems), row.problems


def _validate(root, topic):
    import os

    from autograder.validate import validate

    old = os.environ.get("AUTOGRADER_ROOT")
    os.environ["AUTOGRADER_ROOT"] = str(root)
    try:
        return validate(topics=[topic], sandbox="process", jobs=2)
    finally:
        if old is None:
            del os.environ["AUTOGRADER_ROOT"]
        else:
            os.environ["AUTOGRADER_ROOT"] = old
