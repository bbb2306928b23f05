import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.notebook import load_submission, strip_ipython


def write_nb(path, sources):
    nb = new_notebook(cells=[new_markdown_cell("# title")] + [new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path


def test_magics_and_shell_lines_are_removed_not_run():
    src = "%matplotlib inline\n!pip install torch\nfiles = !ls\nx = 1\nif x:\n    %time y = 2\n"
    out = strip_ipython(src)
    assert "pip" not in out.replace("# removed: !pip install torch", "")
    compiled = compile(out, "<t>", "exec")  # still valid Python, line numbers kept
    ns = {}
    exec(compiled, ns)
    assert ns["x"] == 1 and out.count("\n") == src.count("\n")


def test_cell_magics():
    assert strip_ipython("%%bash\nrm -rf /\n") is None
    assert strip_ipython("%%time\nz = 3\n").strip() == "z = 3"


def test_self_check_lines_are_not_graded_code():
    out = strip_ipython('import otter\ngrader = otter.Notebook(tests_dir="tests")\ngrader.check("q1")\n')
    ns = {}
    exec(out, ns)
    assert "grader" not in ns


def test_code_cells_are_numbered_among_code_cells(tmp_path):
    p = write_nb(tmp_path / "a.ipynb", ["a = 1", "", "def f():\n    return 2"])
    sub = load_submission(p)
    assert [c.index for c in sub.cells] == [1, 3]
    assert sub.cells[1].first_line == "def f():"
    assert len(sub.sha256) == 64 and sub.fatal is None


def test_malformed_and_foreign_files(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"cells": [')
    assert "not valid notebook JSON" in load_submission(bad).fatal
    other = tmp_path / "essay.docx"
    other.write_text("hello")
    assert "not a notebook" in load_submission(other).fatal
    binary = tmp_path / "x.ipynb"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    assert "not a text file" in load_submission(binary).fatal
    notjson = tmp_path / "y.ipynb"
    notjson.write_text(json.dumps({"hello": 1}))
    assert load_submission(notjson).fatal


def test_python_file_is_one_cell(tmp_path):
    p = tmp_path / "s.py"
    p.write_text("def f():\n    return 1\n")
    sub = load_submission(p)
    assert len(sub.cells) == 1 and sub.cells[0].index == 1
