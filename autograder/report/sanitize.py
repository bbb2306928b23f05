"""Text from a submission (or from an LMS export) made safe where it is written.

``csv_cell`` is the one function every CSV writer uses: a spreadsheet runs a cell that starts with
``=``, ``+``, ``-``, ``@`` (or a tab / carriage return before one) as a formula, so such text cells
get a leading apostrophe (OWASP's "CSV injection" advice). Numbers are left as numbers.

``clean_text`` is applied to every text file and terminal line that carries text from a submission:
escape sequences and other control characters (C0 but newline and tab, DEL, C1, bidirectional
overrides) are removed, so printed output or an exception message cannot move the cursor, redraw a
score line or reorder what is shown; lone surrogates become U+FFFD, so writing never raises.
"""
from __future__ import annotations

import csv
import io
import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """``value`` ready for a CSV cell: formula-looking text prefixed with ``'``; None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_text(rows: list[list]) -> str:
    """Rows written as CSV (RFC 4180 quoting), every cell through :func:`csv_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


# An ANSI/VT escape sequence (CSI ... final, OSC ... BEL/ST, or ESC + one char), then any other
# control character but \n and \t, the bidi controls, and lone surrogates.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text) -> str:
    """``text`` safe to write to a text file or print on a terminal (see the module notes)."""
    if not isinstance(text, str):
        text = str(text)
    text = _SURROGATES.sub("\ufffd", text)
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", text)
