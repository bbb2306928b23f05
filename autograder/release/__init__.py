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
