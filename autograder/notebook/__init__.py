"""Reading a submission: the code cells of a notebook (or a .py file), with IPython syntax removed."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Cell magics whose body is not Python: the whole cell is skipped.
_NON_PYTHON_MAGICS = {"bash", "sh", "script", "html", "javascript", "js", "latex", "markdown",
                      "svg", "writefile", "perl", "ruby", "system", "file"}
# Lines that only make sense in a student's own kernel (otter's self-check) are not graded code.
_SELF_CHECK = re.compile(r"^\s*(import\s+otter\b|from\s+otter\b|grader\s*=\s*otter\.|grader\.check"
                         r"|grader\.export|grader\.check_all)")


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position among the notebook's code cells
    source: str
    first_line: str = ""


@dataclass
class Submission:
    path: Path
    sha256: str
    cells: list[Cell] = field(default_factory=list)
    fatal: str | None = None  # why nothing could be graded (malformed notebook, binary file, ...)

    @property
    def name(self) -> str:
        return self.path.stem


def strip_ipython(source: str) -> str | None:
    """Python source with magics and shell escapes removed (not executed); None for a cell whose
    body is another language."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split()[0] if lines[0].lstrip()[2:].split() else ""
        if magic in _NON_PYTHON_MAGICS:
            return None
        lines = lines[1:]  # %%time, %%capture and the like wrap plain Python
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or _SELF_CHECK.match(line):
            # Keep line numbers stable so tracebacks point at the student's own line.
            out.append(line[: len(line) - len(stripped)] + "pass  # removed: " + stripped[:60])
        elif re.match(r"^\s*\w+\s*=\s*!", line) or re.match(r"^\s*\w+\s*=\s*%", line):
            out.append(line[: len(line) - len(stripped)] + "pass  # removed: " + stripped[:60])
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def load_submission(path: Path) -> Submission:
    path = Path(path)
    data = path.read_bytes()
    sub = Submission(path=path, sha256=hashlib.sha256(data).hexdigest())
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        sub.fatal = f"{path.name} is not a text file (it is not UTF-8); submit the .ipynb notebook"
        return sub
    if path.suffix == ".py":
        sub.cells = [Cell(index=1, source=text, first_line=_first_line(text))]
        return sub
    if path.suffix != ".ipynb":
        sub.fatal = f"{path.name} is not a notebook (.ipynb) or a Python file (.py)"
        return sub
    try:
        json.loads(text)
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the student's malformed file
        sub.fatal = f"{path.name} is not valid notebook JSON: {str(exc).splitlines()[0][:300]}"
        return sub
    ordinal = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        ordinal += 1
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        py = strip_ipython(source)
        if py is not None and py.strip():
            sub.cells.append(Cell(index=ordinal, source=py, first_line=_first_line(source)))
    return sub


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""
