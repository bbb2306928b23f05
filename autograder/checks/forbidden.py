"""Forbidden APIs, found statically in the submission's syntax tree (trusted side).

A from-scratch topic lists dotted names it forbids: modules (``torch``, ``scipy.signal``) or
functions (``numpy.convolve``). The scan resolves import aliases (``import numpy as np`` then
``np.convolve``), ``from`` imports, and constant-string ``getattr``/``importlib.import_module``/
``__import__``. Access by a computed name (``getattr(np, "con" + "volve")``), ``eval`` and ``exec`` is
flagged for review: it cannot be resolved statically. A "review" finding is not silent: the
verdict holds the submission's points for course staff (it scores zero with the finding named),
because the run-time guard it could get around is the student's own process.

The scan walks the tree with an explicit stack (no recursion: an expression of thousands of terms
is fine) and stops descending at ``MAX_DEPTH``; a tree too deep to build or to walk is itself a
"review" finding, never a crash.
"""
from __future__ import annotations

import ast
import threading
from dataclasses import dataclass

# ast.parse from two threads at once failed here on CPython 3.11.7 ("AST constructor recursion
# depth mismatch", seen in CI while grading with two jobs): the C-to-Python AST conversion keeps
# its recursion counter in shared module state, so two conversions at once corrupt it. numpy's
# .npy header reader (ast.literal_eval) was the other user; the probe reader no longer uses it.
# Every ast.parse in the grader goes through this lock.
_PARSE_LOCK = threading.Lock()
MAX_DEPTH = 3000  # syntax-tree nesting walked (iteratively); deeper is a review finding
MAX_SOURCE = 2_000_000  # characters of one cell scanned
# Reaching into the run-time guard (its closure, the import hooks, frames, the garbage collector)
# has no place in an exercise and is how a guard is taken apart: flagged for review.
_INTROSPECTION = {"__closure__", "cell_contents", "__globals__", "__code__", "__wrapped__",
                  "f_back", "f_locals", "f_globals", "f_builtins", "co_filename", "meta_path",
                  "path_hooks", "__builtins__", "__subclasses__", "__loader__", "__spec__"}
_INTROSPECTION_MODULES = {"gc", "ctypes", "_ctypes", "importlib.machinery", "importlib.abc"}


@dataclass(frozen=True)
class Finding:
    api: str
    cell: int
    line: int
    how: str  # "import", "call", "attribute", "dynamic"
    severity: str  # "violation" (scores zero) or "review" (shown, no penalty)

    def describe(self) -> str:
        what = "uses forbidden" if self.severity == "violation" else "needs review:"
        return f"code cell {self.cell}, line {self.line}: {what} {self.api} ({self.how})"


def _matches(name: str, forbidden) -> str | None:
    for f in forbidden:
        if name == f or name.startswith(f + "."):
            return f
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, cell: int, forbidden, aliases: dict):
        self.cell = cell
        self.forbidden = forbidden
        self.aliases = aliases  # shared across cells: a notebook is one namespace
        self.findings: list[Finding] = []

    def visit(self, tree):
        """Walk ``tree`` in source order without recursion (the visit_* methods call
        ``generic_visit``, which here only queues the children)."""
        stack = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                self._add("<code nested too deeply to check>", node, "too deep", "review")
                return
            self._depth = depth
            self._queued = []
            method = getattr(self, "visit_" + type(node).__name__, None)
            if method is None:
                self.generic_visit(node)
            else:
                method(node)
            stack.extend((child, depth + 1) for child in reversed(self._queued))

    def generic_visit(self, node):
        for child in ast.iter_child_nodes(node):
            self._queued.append(child)

    def _add(self, api, node, how, severity="violation"):
        self.findings.append(Finding(api, self.cell, getattr(node, "lineno", 0), how, severity))

    def _dotted(self, node) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            base = self.aliases.get(node.id)
            if base is None:
                return None
            return ".".join([base, *reversed(parts)])
        return None

    def visit_Import(self, node):
        for alias in node.names:
            if self.forbidden and alias.name in _INTROSPECTION_MODULES:
                self._add(alias.name, node, "introspection", "review")
            if _matches(alias.name, self.forbidden):
                self._add(alias.name, node, "import")
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        mod = node.module or ""
        if self.forbidden and mod in _INTROSPECTION_MODULES:
            self._add(mod, node, "introspection", "review")
        for alias in node.names:
            full = f"{mod}.{alias.name}" if mod else alias.name
            hit = _matches(mod, self.forbidden) or _matches(full, self.forbidden)
            if hit:
                self._add(full, node, "import")
            self.aliases[alias.asname or alias.name] = full
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if self.forbidden and node.attr in _INTROSPECTION:
            self._add(f".{node.attr}", node, "introspection", "review")
        dotted = self._dotted(node)
        if dotted and _matches(dotted, self.forbidden):
            self._add(dotted, node, "attribute")
            return  # report the longest chain once
        self.generic_visit(node)

    def visit_Name(self, node):
        dotted = self.aliases.get(node.id)
        if isinstance(node.ctx, ast.Load) and dotted and _matches(dotted, self.forbidden):
            self._add(dotted, node, "attribute")

    def visit_Call(self, node):
        fn = node.func
        name = fn.id if isinstance(fn, ast.Name) else self._dotted(fn) if isinstance(fn, ast.Attribute) else None
        args = node.args
        const = args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)
        if name == "getattr" and len(args) >= 2:
            base = self._dotted(args[0]) if isinstance(args[0], (ast.Name, ast.Attribute)) else None
            if isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
                if base and _matches(f"{base}.{args[1].value}", self.forbidden):
                    self._add(f"{base}.{args[1].value}", node, "getattr")
            elif base is not None:
                self._add(f"getattr({base}, <computed name>)", node, "dynamic", "review")
        elif name in ("importlib.import_module", "__import__", "import_module"):
            if const and _matches(args[0].value, self.forbidden):
                self._add(args[0].value, node, "import")
            elif not const:
                self._add(f"{name}(<computed name>)", node, "dynamic", "review")
        elif name in ("eval", "exec", "compile"):
            self._add(f"{name}(...)", node, "dynamic", "review")
        self.generic_visit(node)


def scan(cells, forbidden) -> list[Finding]:
    """``cells``: (index, source) pairs. Cells that do not parse are skipped (the harness reports
    their syntax error)."""
    forbidden = tuple(forbidden)
    aliases: dict = {}
    findings: list[Finding] = []
    for index, source in cells:
        if not isinstance(source, str):
            continue
        try:
            if len(source) > MAX_SOURCE:
                raise MemoryError("cell too long to scan")
            with _PARSE_LOCK:
                tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue  # the harness reports the syntax error (or the null byte) of its cell
        except (RecursionError, MemoryError, SystemError) as exc:
            findings.append(Finding(f"<code too deeply nested or too long to check: "
                                    f"{type(exc).__name__}>", index, 0, "too deep", "review"))
            continue
        s = _Scanner(index, forbidden, aliases)
        s.visit(tree)
        findings.extend(s.findings)
    return findings if forbidden else [f for f in findings if f.severity == "violation"]
