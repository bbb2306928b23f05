"""How reports name a cell and an error, the same way everywhere (report, summary, notes).

JupyterLab shows no cell numbers of its own (only execution counts, which change on every run), so
a cell is named by its position among the code cells and its first line, which a student can find
by scrolling: ``the 4th code cell ("def relu(z):")``.
"""
from __future__ import annotations

import re

_CELL_REF = re.compile(r"\b(?:code )?cell (\d+)\b")
_FRAME = re.compile(r'File "([^"]*)", line (\d+), in ([^\s]+)')


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cell_label(index: int, first_line: str = "") -> str:
    first = " ".join(str(first_line).split())[:50]
    return f"the {ordinal(int(index))} code cell" + (f' ("{first}")' if first else "")


def relabel(text: str, first_lines: dict[int, str]) -> str:
    """``text`` with every "code cell N" / "cell N" replaced by :func:`cell_label`."""
    if not isinstance(text, str) or "cell" not in text:
        return text
    return _CELL_REF.sub(lambda m: cell_label(int(m.group(1)), first_lines.get(int(m.group(1)), "")),
                         text)


def raising_function(traceback_text: str | None) -> str | None:
    """The innermost function named in a traceback (the one that raised), if any."""
    frames = [(path, fn) for path, _line, fn in _FRAME.findall(traceback_text or "")
              if fn != "<module>"]
    # The student's own code runs as "<cell N>": name its innermost function (not NumPy's).
    own = [fn for path, fn in frames if path.startswith("<cell")]
    if own:
        return own[-1]
    return frames[-1][1] if frames else None


def describe_error(error: str | None, traceback_text: str | None = None) -> str:
    """``"ValueError: bad shape"`` as is; an exception with an empty message (``"NotImplementedError:
    "``) says which function raised it: ``NotImplementedError raised in relu (no message)``."""
    text = " ".join(str(error or "").split())
    kind, sep, msg = text.partition(":")
    fn = raising_function(traceback_text)
    if not text:
        return "an error with no message" + (f" in {fn}" if fn else "")
    if (sep and not msg.strip()) or (not sep and re.fullmatch(r"[A-Za-z_][\w.]*", text)):
        return f"{kind.strip()} raised in {fn} (no message)" if fn else f"{kind.strip()} (no message)"
    return text + (f" (in {fn})" if fn and fn not in text else "")
