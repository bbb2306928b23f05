"""Intake: a folder of notebooks, or the zip an LMS exports, turned into (student, file) pairs.

The student id comes from the file name through a regular expression with a named group
``student``. The default understands Canvas's ``lastfirst_12345_67890_name.ipynb`` (also with
``_late_`` after the name; the student is ``lastfirst``) and otherwise takes the plain file stem
(``alice.ipynb`` -> ``alice``). Zips are extracted safely: members are flattened to their base
name (no path from the archive is ever used, so no traversal), links and special files are
skipped, and the size of each file, the total size and the number of files are capped.
"""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".ipynb", ".py")
CANVAS = r"^(?P<student>[A-Za-z0-9-]+?)(?:_late)?_(?P<user_id>\d+)_(?P<attachment_id>\d+)_.+$"
MAX_FILE_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 500 * 2**20
MAX_FILES = 2000


class IntakeError(ValueError):
    """The zip is unsafe or too large; nothing was graded."""


@dataclass(frozen=True)
class Intake:
    student: str
    path: Path


def student_id(filename: str, pattern: str | None = None) -> str:
    """The student a file belongs to: the ``student`` group of ``pattern`` matched against the
    file name (default: Canvas's naming), else the file's stem."""
    stem = Path(filename).stem
    for pat in ([pattern] if pattern else []) + [CANVAS]:
        m = re.match(pat, Path(filename).name) or re.match(pat, stem)
        if m and m.groupdict().get("student"):
            return _safe(m.group("student"))
        if pattern:
            break  # a custom rule that does not match falls back to the stem, not to Canvas
    return _safe(stem)


def _safe(name: str) -> str:
    # Used as a folder name under --out: keep it to a harmless alphabet.
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
    return cleaned[:100]


def extract_zip(archive: str | Path, dest: str | Path, *, max_file_bytes: int = MAX_FILE_BYTES,
                max_total_bytes: int = MAX_TOTAL_BYTES, max_files: int = MAX_FILES) -> list[Path]:
    """Extract the notebooks and .py files of ``archive`` into ``dest`` (flat), safely."""
    import shutil

    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)  # a fresh copy each run: no stale files, no "-2" duplicates
    dest.mkdir(parents=True)
    out: list[Path] = []
    total = 0
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > max_files:
            raise IntakeError(f"{archive}: {len(members)} files, more than the cap of {max_files}")
        for m in members:
            mode = m.external_attr >> 16
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                continue  # symlinks, devices: never materialised
            base = Path(m.filename.replace("\\", "/")).name
            if not base or base.startswith(".") or "__MACOSX" in m.filename:
                continue
            if Path(base).suffix not in SUFFIXES:
                continue
            if m.file_size > max_file_bytes:
                raise IntakeError(f"{m.filename}: {m.file_size} bytes, over the per-file cap")
            target = dest / base
            n = 2
            while target.exists():
                target = dest / f"{Path(base).stem}-{n}{Path(base).suffix}"
                n += 1
            written = 0
            with zf.open(m) as src, open(target, "wb") as dst:
                # The header's size can lie: count what is actually decompressed.
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    total += len(chunk)
                    if written > max_file_bytes or total > max_total_bytes:
                        dst.close()
                        target.unlink()
                        raise IntakeError(f"{m.filename}: decompressed size over the cap")
                    dst.write(chunk)
            out.append(target)
    return out


def count(sources: list) -> int:
    """How many submissions ``sources`` hold (for a progress bar), without extracting."""
    n = 0
    for s in sources:
        p = Path(s)
        if p.is_dir():
            n += sum(1 for q in p.iterdir() if q.is_file() and q.suffix in SUFFIXES)
        elif p.suffix == ".zip" and zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as zf:
                n += sum(1 for m in zf.infolist() if not m.is_dir()
                         and not (stat.S_IFMT(m.external_attr >> 16)
                                  and not stat.S_ISREG(m.external_attr >> 16))
                         and Path(m.filename).suffix in SUFFIXES
                         and not Path(m.filename).name.startswith(".")
                         and "__MACOSX" not in m.filename)
        else:
            n += 1
    return n


def collect(*, sources: list, workdir: str | Path, pattern: str | None = None) -> list[Intake]:
    """(student, path) for every submission in ``sources`` (files, folders, zips). Zips are
    extracted under ``workdir``. Students seen twice get ``-2``, ``-3`` suffixes."""
    files: list[Path] = []
    for i, s in enumerate(sources):
        p = Path(s)
        if p.is_dir():
            files += sorted(q for q in p.iterdir() if q.is_file() and q.suffix in SUFFIXES)
        elif p.suffix == ".zip" and zipfile.is_zipfile(p):
            files += sorted(extract_zip(p, Path(workdir) / f"{i}_{_safe(p.stem)}"))
        else:
            files.append(p)
    seen: dict[str, int] = {}
    out = []
    for f in files:
        sid = student_id(f.name, pattern)
        seen[sid] = seen.get(sid, 0) + 1
        out.append(Intake(sid if seen[sid] == 1 else f"{sid}-{seen[sid]}", f))
    return out
