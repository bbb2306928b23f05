"""Reading a submission: the code cells of a notebook (or a .py file), with IPython syntax removed.

The file is hostile. This reader is bounded and never raises for anything the file holds: it reads at
most ``MAX_BYTES`` (never following a link), parses JSON with the C decoder (deep nesting ends in a
caught ``RecursionError``), type-checks every field it uses, caps the number of cells and the size of
each cell, and replaces lone surrogates and other unencodable text so that nothing written later (a
report, a terminal line) can fail on it. Anything wrong with the whole file is ``Submission.fatal``
(the student's error, graded zero with that message); anything wrong with one cell is a note and the
cell is skipped.

It deliberately does not use ``nbformat``: validating against the notebook JSON schema costs ~2 s of
import (jsonschema builds its format-checker grammar) on the grading hot path and adds nothing the
checks below do not already guarantee for the fields the grader reads.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 << 20  # the same cap as one file of an LMS zip (autograder.collect)
MAX_CELLS = 2000
MAX_CELL_CHARS = 1 << 20  # one code cell; notebooks with larger cells are not hand-written code
MAX_CODE_CHARS = 4 << 20  # all graded code together
MAX_NOTES = 20

# Cell magics whose body is not Python: the whole cell is skipped.
_NON_PYTHON_MAGICS = {"bash", "sh", "script", "html", "javascript", "js", "latex", "markdown",
                      "svg", "writefile", "perl", "ruby", "system", "file"}
# Lines that only make sense in a student's own kernel (otter's self-check) are not graded code.
_SELF_CHECK = re.compile(r"^\s*(import\s+otter\b|from\s+otter\b|grader\s*=\s*otter\.|grader\.check"
                         r"|grader\.export|grader\.check_all)")
_ASSIGN_ESCAPE = re.compile(r"^\s*\w+\s*=\s*[!%]")


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position among the notebook's code cells (as JupyterLab counts them)
    source: str
    first_line: str = ""


@dataclass
class Submission:
    path: Path
    sha256: str
    cells: list[Cell] = field(default_factory=list)
    fatal: str | None = None  # why nothing could be graded (malformed notebook, binary file, ...)
    notes: list[str] = field(default_factory=list)  # cells skipped and why

    @property
    def name(self) -> str:
        return self.path.stem


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (and anything else UTF-8 cannot hold) replaced, so it can be
    written anywhere."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def strip_ipython(source: str) -> str | None:
    """Python source with magics and shell escapes removed (not executed); None for a cell whose
    body is another language."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        words = lines[0].lstrip()[2:].split()
        if (words[0] if words else "") in _NON_PYTHON_MAGICS:
            return None
        lines = lines[1:]  # %%time, %%capture and the like wrap plain Python
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or _SELF_CHECK.match(line) or _ASSIGN_ESCAPE.match(line):
            # Keep line numbers stable so tracebacks point at the student's own line.
            out.append(line[: len(line) - len(stripped)] + "pass  # removed: " + stripped[:60])
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def read_bounded(path: Path, limit: int | None = None) -> bytes | str:
    """The bytes of the regular file ``path`` (never through a link), or a message saying why not."""
    limit = MAX_BYTES if limit is None else limit
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            return f"{Path(path).name} is a link, not a file; submit the notebook itself"
        return f"{Path(path).name} could not be read ({exc.strerror or type(exc).__name__})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return f"{Path(path).name} is not a regular file"
        if st.st_size > limit:
            return (f"{Path(path).name} is {st.st_size / 2**20:.1f} MB, over the "
                    f"{limit / 2**20:.0f} MB limit for a submission (clear large outputs and resubmit)")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:  # grew while being read
                return f"{Path(path).name} is over the {limit / 2**20:.0f} MB limit for a submission"
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        return f"{Path(path).name} could not be read ({exc.strerror or type(exc).__name__})"
    finally:
        os.close(fd)


def _cells_of(nb) -> list | None:
    """The list of cells of a v4 notebook, or of the first worksheet of a v3 one; None if absent."""
    if not isinstance(nb, dict):
        return None
    cells = nb.get("cells")
    if cells is None and isinstance(nb.get("worksheets"), list) and nb["worksheets"]:
        ws = nb["worksheets"][0]
        cells = ws.get("cells") if isinstance(ws, dict) else None
    return cells if isinstance(cells, list) else None


def _source_of(cell: dict) -> str | None:
    src = cell.get("source", cell.get("input", ""))  # "input": nbformat v3
    if isinstance(src, str):
        return src
    if isinstance(src, list) and all(isinstance(s, str) for s in src):
        return "".join(src)
    return None


def load_submission(path: Path) -> Submission:
    """Read ``path`` (.ipynb or .py) into graded cells. Never raises for the file's content."""
    path = Path(path)
    data = read_bounded(path)
    if isinstance(data, str):
        return Submission(path=path, sha256="", fatal=data)
    sub = Submission(path=path, sha256=hashlib.sha256(data).hexdigest())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        sub.fatal = f"{path.name} is not a text file (it is not UTF-8); submit the .ipynb notebook"
        return sub
    if path.suffix == ".py":
        if len(text) > MAX_CODE_CHARS:
            sub.fatal = f"{path.name} holds more than {MAX_CODE_CHARS >> 20} M characters of code"
            return sub
        text = clean_text(text)
        sub.cells = [Cell(index=1, source=text, first_line=_first_line(text))]
        return sub
    if path.suffix != ".ipynb":
        sub.fatal = f"{path.name} is not a notebook (.ipynb) or a Python file (.py)"
        return sub
    try:
        nb = json.loads(text)
    except RecursionError:
        sub.fatal = f"{path.name} is not a notebook: its JSON is nested too deeply"
        return sub
    except ValueError as exc:
        sub.fatal = f"{path.name} is not valid notebook JSON: {clean_text(str(exc))[:200]}"
        return sub
    cells = _cells_of(nb)
    if cells is None:
        sub.fatal = f"{path.name} is not a Jupyter notebook (no list of cells)"
        return sub
    if len(cells) > MAX_CELLS:
        sub.fatal = f"{path.name} has {len(cells)} cells, more than the {MAX_CELLS} a notebook may have"
        return sub
    ordinal, total = 0, 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        ordinal += 1
        source = _source_of(cell)
        if source is None:
            _note(sub, f"code cell {ordinal} has no readable source (not text); it was skipped")
            continue
        if len(source) > MAX_CELL_CHARS:
            _note(sub, f"code cell {ordinal} is over {MAX_CELL_CHARS >> 20} M characters; it was skipped")
            continue
        total += len(source)
        if total > MAX_CODE_CHARS:
            sub.fatal = f"{path.name} holds more than {MAX_CODE_CHARS >> 20} M characters of code"
            return sub
        source = clean_text(source)
        py = strip_ipython(source)
        if py is not None and py.strip():
            sub.cells.append(Cell(index=ordinal, source=py, first_line=_first_line(source)))
    return sub


def _note(sub: Submission, text: str) -> None:
    if len(sub.notes) < MAX_NOTES:
        sub.notes.append(text)


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""
