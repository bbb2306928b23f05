"""Text from a submission (or from an LMS export) made safe where it is written.

``csv_cell`` is the one function every CSV writer uses: a spreadsheet runs a cell that starts with
``=``, ``+``, ``-``, ``@`` (or a tab / carriage return before one) as a formula, so such text cells
get a leading apostrophe (OWASP's "CSV injection" advice). Numbers are left as numbers.
"""
from __future__ import annotations

import csv
import io

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
