"""Errors the CLI reports as one line and exit code 2 (the user's input is wrong), as opposed to
internal errors (exit 1, traceback logged to a file)."""
from __future__ import annotations


class UserError(Exception):
    """Something the person running the command can fix: an unknown topic, a missing path, an
    empty folder, a bad option. Its message is one line, shown as is."""
