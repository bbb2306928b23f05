import os
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


# --- hostile files: every one ends as a result (fatal or notes), never as an exception -------------

def _nb(tmp_path, cells, name="s.ipynb", **top):
    p = tmp_path / name
    p.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top}))
    return p


def test_cell_fields_of_the_wrong_type_are_skipped_with_a_note(tmp_path):
    p = _nb(tmp_path, [{"cell_type": "code", "source": 7}, "not a cell", None,
                       {"cell_type": "code", "source": ["x = ", 1]},
                       {"cell_type": "code", "source": ["y = 2\n"]}])
    sub = load_submission(p)
    assert sub.fatal is None
    assert [c.source.strip() for c in sub.cells] == ["y = 2"]
    assert [c.index for c in sub.cells] == [3]  # still counted as JupyterLab counts code cells
    assert len(sub.notes) == 2 and "code cell 1" in sub.notes[0]


def test_not_a_notebook_shapes(tmp_path):
    for i, doc in enumerate(["[1, 2]", '"text"', '{"cells": 3}', "null", '{"worksheets": 5}']):
        p = tmp_path / f"x{i}.ipynb"
        p.write_text(doc)
        assert "not a Jupyter notebook" in load_submission(p).fatal


def test_deep_nesting_is_fatal_not_a_crash(tmp_path):
    p = tmp_path / "deep.ipynb"
    p.write_text('{"cells": [' + "[" * 200_000 + "]" * 200_000 + "]}")
    assert "nested too deeply" in load_submission(p).fatal


def test_lone_surrogates_are_replaced(tmp_path):
    p = tmp_path / "sur.ipynb"
    p.write_text('{"cells": [{"cell_type": "code", "source": "s = \\"\\ud800\\"\\n"}]}')
    sub = load_submission(p)
    sub.cells[0].source.encode("utf-8")  # writable anywhere
    compile(sub.cells[0].source, "<c>", "exec")


def test_size_caps(tmp_path, monkeypatch):
    import autograder.notebook as nbmod

    big = _nb(tmp_path, [{"cell_type": "code", "source": "x = 1\n" * 1000}], name="big.ipynb")
    monkeypatch.setattr(nbmod, "MAX_BYTES", 1000)
    assert "over the" in load_submission(big).fatal
    monkeypatch.setattr(nbmod, "MAX_BYTES", 20 << 20)
    monkeypatch.setattr(nbmod, "MAX_CELLS", 3)
    many = _nb(tmp_path, [{"cell_type": "code", "source": "x=1"}] * 4, name="many.ipynb")
    assert "cells" in load_submission(many).fatal
    monkeypatch.setattr(nbmod, "MAX_CELL_CHARS", 100)
    one = _nb(tmp_path, [{"cell_type": "code", "source": "x = 1\n" * 50}], name="one.ipynb")
    assert load_submission(one).cells == [] and "skipped" in load_submission(one).notes[0]


def test_links_and_special_files_are_refused(tmp_path):
    target = tmp_path / "secret.py"
    target.write_text("SECRET = 1\n")
    link = tmp_path / "link.ipynb"
    link.symlink_to(target)
    assert "link" in load_submission(link).fatal
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    assert "not a regular file" in load_submission(fifo).fatal  # and does not block


def test_nbformat_v3_notebooks_are_read(tmp_path):
    p = tmp_path / "v3.ipynb"
    p.write_text(json.dumps({"nbformat": 3, "worksheets": [
        {"cells": [{"cell_type": "code", "input": ["a = 1\n"]}]}]}))
    assert load_submission(p).cells[0].source.strip() == "a = 1"


def test_reader_does_not_import_nbformat():
    import subprocess
    import sys

    code = "import sys, autograder.notebook; print('nbformat' in sys.modules, 'jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
