"""Exports to other platforms. Gradescope: an autograder zip that grades with this same engine.

The zip holds ``setup.sh`` and ``run_autograder`` (Gradescope's entry points), ``requirements.txt``,
the ``autograder`` package itself and ``reference/<topic>/`` (manifest, reference, probes,
verdicts). Gradescope unpacks it into ``/autograder/source`` and copies ``run_autograder`` to
``/autograder/run_autograder``; that script grades ``/autograder/submission/*.ipynb`` and writes
``/autograder/results/results.json``. ``AUTOGRADER_GS_ROOT`` replaces ``/autograder`` (tests).
"""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from autograder.topics import get_topic

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_REQUIREMENTS = ["numpy>=1.26", "nbformat>=5.9", "rich>=13", "pandas>=2", "matplotlib>=3.8",
                     "sqlalchemy>=2", "jinja2>=3"]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
ROOT="${AUTOGRADER_GS_ROOT:-/autograder}"
SRC="$ROOT/source"
VENV="$ROOT/venv"
export DEBIAN_FRONTEND=noninteractive
APT_OK=""
if command -v apt-get >/dev/null && apt-get update -qq; then
  APT_OK=1
  # bubblewrap keeps the hidden reference out of the student's process where namespaces work.
  apt-get install -y -qq bubblewrap >/dev/null || true
fi
# A supported Python (>= 3.11) of our own: Gradescope's Ubuntu 22.04 image has 3.10, whose
# universe component has python3.11 (with its venv module apart, in python3.11-venv).
py_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
find_py() {
  for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null && py_ok "$(command -v "$cand")"; then command -v "$cand"; return 0; fi
  done
  return 1
}
PY="$(find_py || true)"
if [ -z "$PY" ] && [ -n "$APT_OK" ]; then
  apt-get install -y -qq python3.11 python3.11-venv >/dev/null || true
  PY="$(find_py || true)"
fi
if [ -n "$PY" ] && ! "$PY" -m venv "$VENV" 2>/dev/null && [ -n "$APT_OK" ]; then
  # Debian and Ubuntu ship venv apart from the interpreter.
  rm -rf "$VENV"
  V="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  apt-get install -y -qq "python$V-venv" >/dev/null 2>&1 || apt-get install -y -qq python3-venv >/dev/null 2>&1 || true
fi
if [ -n "$PY" ] && { [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"; }; then
  # The OS's pip may predate the wheels' metadata (jammy's is 22.0).
  "$VENV/bin/python" -m pip install --no-cache-dir -q --upgrade pip || true
  "$VENV/bin/python" -m pip install --no-cache-dir -q -r "$SRC/requirements.txt"
else
  # No usable Python from the OS: uv brings a managed CPython, installed where the sandbox's
  # unprivileged uid can read it (not under /root).
  rm -rf "$VENV"
  python3 -m pip install -q uv || (apt-get install -y -qq curl && curl -LsSf https://astral.sh/uv/install.sh | sh)
  UV="$(command -v uv || echo "$HOME/.local/bin/uv")"
  export UV_PYTHON_INSTALL_DIR="$ROOT/python"
  "$UV" venv --python 3.11 "$VENV"
  "$UV" pip install --python "$VENV/bin/python" -q -r "$SRC/requirements.txt"
fi
py_ok "$VENV/bin/python"  # else fail here, where course staff see it, not at the first submission
# The hidden reference: root only. The engine and the interpreter: readable by the unprivileged uid
# that runs the student's code when bubblewrap cannot start (no namespaces in Gradescope's container).
chown -R root:root "$SRC"
chmod o+x "$ROOT"
chmod -R a+rX "$SRC/autograder" "$VENV" ${UV_PYTHON_INSTALL_DIR:+"$UV_PYTHON_INSTALL_DIR"}
chmod 0755 "$SRC"  # listable (names only); reference/ itself is 0700
chmod -R go-rwx "$SRC/reference"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json, always: when
# the grader cannot start (setup.sh failed, no Python >= 3.11), a GRADER ERROR result says so.
# Exit status 0 whenever results.json is written: Gradescope shows a failed run, not our message.
set -uo pipefail
ROOT="${{AUTOGRADER_GS_ROOT:-/autograder}}"
SRC="$ROOT/source"
PY="$ROOT/venv/bin/python"
OUT="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
chmod 0755 "$ROOT/results"  # root's: the student's code (another uid) cannot write results
rm -f "$OUT"
grader_error() {{
  printf '{{"score": 0.0, "visibility": "visible", "tests": [], "output": "GRADER ERROR (not your '\\
'fault; course staff need to look): %s"}}\\n' "$1" > "$OUT"
  echo "$1" >&2
}}
py_ok() {{ "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }}
py_ok "$PY" || PY=python3  # no venv: a system Python that is new enough will do
if ! py_ok "$PY"; then
  grader_error "the autograder has no Python 3.11 or newer (no $ROOT/venv: did setup.sh fail?)"
  exit 0
fi
cd "$SRC"
PYTHONPATH="$SRC${{PYTHONPATH:+:$PYTHONPATH}}" AUTOGRADER_ROOT="$SRC" \\
  "$PY" -m autograder.export.gradescope --topic {topic} --root "$ROOT" "$@"
rc=$?
if [ ! -s "$OUT" ]; then
  grader_error "the grader stopped (exit status $rc) before writing results"
fi
exit 0
"""


def _requirements(topic) -> list[str]:
    reqs = list(BASE_REQUIREMENTS)
    text = " ".join(p.read_text() for p in topic.reference_dir.glob("*.py"))
    if "import torch" in text or "from torch" in text:
        reqs.append("torch==2.13.0")
    if "sklearn" in text:
        reqs.append("scikit-learn>=1.3")
    return reqs


def export_gradescope(*, topic: str, out: str | Path) -> Path:
    """Write Gradescope's autograder zip for ``topic`` to ``out``."""
    t = get_topic(topic)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def add_tree(zf: zipfile.ZipFile, src: Path, arc: str) -> None:
        for f in sorted(src.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc", ".pyo"):
                zf.write(f, f"{arc}/{f.relative_to(src).as_posix()}")

    def add_text(zf: zipfile.ZipFile, name: str, text: str, mode: int = 0o644) -> None:
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text)

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        add_text(zf, "setup.sh", SETUP_SH, 0o755)
        add_text(zf, "run_autograder", RUN_AUTOGRADER.format(topic=t.name), 0o755)
        add_text(zf, "requirements.txt", "\n".join(_requirements(t)) + "\n")
        add_tree(zf, PACKAGE_DIR, "autograder")
        add_tree(zf, t.reference_dir, f"reference/{t.name}")
    return out


def find_submission(submission_dir: Path) -> Path | None:
    """The notebook (else the .py file) in Gradescope's submission folder. Links are never
    followed nor taken (a submission that is a link to ``../source/reference/...`` would make the
    trusted side read hidden files): only regular files whose real path is inside the folder."""
    found = _regular_files(Path(submission_dir))
    if isinstance(found, str):
        return None
    for suffix in (".ipynb", ".py"):
        hits = sorted(p for p in found if p.suffix == suffix and ".ipynb_checkpoints" not in p.parts)
        if hits:
            return hits[0]
    return None


def _regular_files(root: Path, max_files: int = 10_000) -> list[Path] | str:
    """Regular files under ``root`` (no links followed, none listed), or why the folder is refused
    (it is itself a link)."""
    if root.is_symlink() or not root.is_dir():
        return "the submission folder is a link or missing"
    real = os.path.realpath(root) + os.sep
    out, stack = [], [str(root)]
    while stack and len(out) < max_files:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = list(it)
        except OSError:
            continue
        for e in entries:
            if e.is_symlink():
                continue  # never followed, never graded
            if e.is_dir(follow_symlinks=False):
                stack.append(e.path)
            elif e.is_file(follow_symlinks=False) and os.path.realpath(e.path).startswith(real):
                out.append(Path(e.path))
    return out


def _links(root: Path) -> list[str]:
    """Names of links in the submission folder (reported to the student as refused)."""
    names = []
    if root.is_symlink():
        return [root.name]
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for n in dirnames + filenames:
            if os.path.islink(os.path.join(dirpath, n)):
                names.append(os.path.relpath(os.path.join(dirpath, n), root))
        if len(names) > 20:
            break
    return names


def run_gradescope(*, topic: str, root: str | Path = "/autograder", sandbox: str = "process",
                   seed: int | None = None) -> Path:
    """Grade ``root/submission/*.ipynb`` into ``root/results/results.json`` (Gradescope's layout)."""
    from autograder.grade import grade_one, reference_observations
    from autograder.sandbox import get_sandbox

    t = get_topic(topic)
    root = Path(root)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / "results.json"
    sub = find_submission(root / "submission")
    if sub is None:
        links = _links(root / "submission")
        why = (f" Links are not accepted (found: {', '.join(links[:5])}); upload the file itself."
               if links else "")
        target.write_text(json.dumps({
            "score": 0.0, "output": "No notebook (.ipynb) was found in your submission: upload "
            f"your {t.name}.ipynb.{why}", "visibility": "visible", "tests": []}, indent=2))
        return target
    seed = _fresh_seed() if seed is None else int(seed)  # never the public self-check's seed
    box = get_sandbox(sandbox)
    ref = reference_observations(t, seed)
    work = results / "report"
    grade_one(topic=t, path=sub, out_dir=work, seed=seed, sandbox=box, ref=ref,
              name=sub.stem)
    shutil.copyfile(work / "results.json", target)
    return target


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="Gradescope entry point (run by run_autograder)")
    p.add_argument("--topic", required=True)
    p.add_argument("--root", default=os.environ.get("AUTOGRADER_GS_ROOT", "/autograder"))
    p.add_argument("--sandbox", default=os.environ.get("AUTOGRADER_SANDBOX", "process"))
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args(argv)
    try:
        path = run_gradescope(topic=a.topic, root=a.root, sandbox=a.sandbox, seed=a.seed)
    except Exception as exc:  # noqa: BLE001 - Gradescope must always get a results.json
        import traceback

        out = Path(a.root) / "results"
        out.mkdir(parents=True, exist_ok=True)
        path = out / "results.json"
        path.write_text(json.dumps({
            "score": 0.0, "visibility": "visible", "tests": [],
            "output": "GRADER ERROR (not your fault; course staff need to look): "
                      f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-1500:]}"}, indent=2))
        print(path)
        return 1
    print(path)
    return 0


def _fresh_seed() -> int:
    from autograder.release.public import fresh_seed  # never the public self-check's seed

    return fresh_seed()
