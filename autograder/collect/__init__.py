"""Intake: files, folders and LMS exports turned into one submission per student.

Who a file belongs to comes from the LMS's own structure, never from a name the student chose:

* **Canvas** (flat zip or folder): ``<name>[_late]_<user id>_<submission id>_<file as uploaded>``.
  The student is ``<name>_<user id>`` (the user id makes two Jane Does two students); the late
  flag, the ids and the uploaded file name are kept.
* **Moodle** (one folder per student, or flat): ``<Full Name>_<participant id>_assignsubmission_
  file_[/]<file>``. A file inside a student's folder belongs to that folder's owner whatever it is
  called (a notebook named after a classmate is still graded as the folder's owner).
* **Blackboard** (flat): ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>[_<file>]``.
* **Folder per student** of any other kind: the folder names the student.
* **Plain files** ``<id>.ipynb``: the stem (or ``--naming REGEX`` with a group ``student``).

A student with several files is one student: the latest by the LMS's submission id or timestamp is
graded and the others are listed in the report. An oversize or unreadable file is that student's
error (a report with zero and the reason), never the batch's. Zips are read member by member with
the same caps as folders: nothing from an archive's paths is used as a path here, links and special
files are refused, and decompressed sizes are counted, not trusted.

Layout of ``--out`` (see :func:`student_dir`): ``out/<topic>/students/<id>/`` holds one student's
reports; the course gradebook is ``out/gradebook.sqlite``, beside the topic folders, where no
student id can reach.
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from autograder.errors import UserError

SUFFIXES = (".ipynb", ".py")
MAX_FILE_BYTES = 20 * 2**20  # one notebook (the notebook reader has the same cap)
MAX_TOTAL_BYTES = 2 * 2**30  # all files taken from one zip or folder
MAX_FILES = 5000  # entries in one zip or folder (all kinds)
MAX_DEPTH = 4  # folders inside a student's folder

CANVAS = re.compile(r"^(?P<name>[A-Za-z0-9-]+?)(?P<late>_late)?_(?P<user_id>\d+)_(?P<submission_id>\d+)"
                    r"_(?P<filename>.+)$", re.IGNORECASE)
MOODLE_DIR = re.compile(r"^(?P<name>.+?)_(?P<user_id>\d+)_assignsubmission_[a-z]+_?$", re.IGNORECASE)
MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<user_id>\d+)_assignsubmission_file_(?P<filename>.+)$",
                         re.IGNORECASE)
BLACKBOARD = re.compile(r"^(?P<assignment>.+)_(?P<name>[^_]+)_attempt_(?P<ts>\d{4}-\d\d-\d\d-\d\d-\d\d"
                        r"-\d\d)(?:_(?P<filename>.+))?$")


class IntakeError(UserError, ValueError):
    """The source as a whole cannot be taken (not a zip, too many files, too large); nothing was
    graded. A problem with one student's file is never an IntakeError."""


@dataclass(frozen=True)
class Intake:
    student: str  # the id: folder name under out/<topic>/students/ and the gradebook key
    path: Path | None  # the file to grade (None when ``error``)
    name: str = ""  # the name the LMS gives (display only)
    lms: str = "file"  # canvas | moodle | blackboard | folder | file
    user_id: str | None = None
    submission_id: str | None = None
    submitted_at: datetime | None = None  # the LMS's timestamp of the file, when it gives one
    late: bool = False  # the LMS marked it late (Canvas's ``_late_``)
    original: str = ""  # the file name as submitted
    others: tuple[str, ...] = ()  # this student's other files, not graded
    error: str | None = None  # the student's file could not be taken: graded zero with this

    def info(self) -> dict:
        """Plain data for reports and the gradebook."""
        return {"student": self.student, "name": self.name, "lms": self.lms,
                "user_id": self.user_id, "submission_id": self.submission_id,
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
                "late": self.late, "file": self.original, "not_graded": list(self.others)}


# ---------------------------------------------------------------------------------------- layout

def topic_dir(out: str | Path, topic: str) -> Path:
    return Path(out) / topic


def students_dir(out: str | Path, topic: str) -> Path:
    return topic_dir(out, topic) / "students"


def student_dir(out: str | Path, topic: str, student: str) -> Path:
    """Where one student's reports for one topic live. ``student`` is always a :func:`safe_id`."""
    return students_dir(out, topic) / safe_id(student)


def gradebook_path(out: str | Path) -> Path:
    """The course gradebook: one per ``--out``, beside the topic folders."""
    return Path(out) / "gradebook.sqlite"


def safe_id(name: str) -> str:
    """A harmless folder name: ASCII letters, digits, ``.``, ``_`` and ``-``; never empty, never
    starting with a dot or a dash."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:100].strip("._-")
    return cleaned or "student"


def student_id(filename: str, pattern: str | None = None) -> str:
    """The student a loose file belongs to (Canvas, Moodle and Blackboard names understood)."""
    return _identify_file(Path(str(filename).replace("\\", "/")).name, pattern)["student"]


# ------------------------------------------------------------------------------------- members

@dataclass
class _Member:
    parts: tuple[str, ...]  # path inside the source, split; never used as a path on this host
    size: int
    when: datetime | None
    open: Callable | None  # returns a binary file object
    refused: str | None = None  # a link, a special file: never read


def _zip_members(archive: Path) -> list[_Member]:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IntakeError(f"{archive}: not a readable zip ({exc})") from None
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        zf.close()
        raise IntakeError(f"{archive}: {len(infos)} entries, more than the cap of {MAX_FILES}")
    out = []
    for m in infos:
        if m.is_dir():
            continue
        parts = tuple(p for p in m.filename.replace("\\", "/").split("/") if p not in ("", "."))
        if not parts or ".." in parts:
            continue
        mode = m.external_attr >> 16
        refused = None
        if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            refused = "is a link or a special file, not a notebook"
        try:
            when = datetime(*m.date_time, tzinfo=timezone.utc)
        except (TypeError, ValueError):
            when = None
        out.append(_Member(parts, m.file_size, when, (lambda m=m: zf.open(m)), refused))
    out.sort(key=lambda x: x.parts)
    return out


def _folder_members(folder: Path) -> list[_Member]:
    root = folder.resolve()
    out: list[_Member] = []
    seen = 0

    def walk(d: Path, parts: tuple[str, ...]):
        nonlocal seen
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            return
        for e in entries:
            seen += 1
            if seen > MAX_FILES:
                raise IntakeError(f"{folder}: more than {MAX_FILES} entries")
            here = parts + (e.name,)
            try:
                st = os.lstat(e.path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                out.append(_Member(here, 0, None, None, "is a link; links are refused"))
            elif stat.S_ISDIR(st.st_mode):
                if len(here) <= MAX_DEPTH:
                    walk(Path(e.path), here)
            elif stat.S_ISREG(st.st_mode):
                p = Path(e.path)
                inside = str(p.resolve()).startswith(str(root) + os.sep)
                out.append(_Member(here, st.st_size,
                                   datetime.fromtimestamp(st.st_mtime, tz=timezone.utc),
                                   (lambda p=p: _open_nofollow(p)),
                                   None if inside else "resolves outside the submission folder"))
            else:
                out.append(_Member(here, 0, None, None, "is not a regular file"))

    walk(folder, ())
    return out


def _open_nofollow(path: Path):
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError("not a regular file")
    return os.fdopen(fd, "rb")


def _skip(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


# ------------------------------------------------------------------------------------ identity

def _identify_file(name: str, pattern: str | None = None) -> dict:
    """Identity from a loose file's name (flat exports)."""
    stem = Path(name).stem
    if pattern:
        m = re.match(pattern, name) or re.match(pattern, stem)
        if m and m.groupdict().get("student"):
            return {"student": safe_id(m.group("student")), "name": m.group("student"), "lms": "file"}
        return {"student": safe_id(stem), "name": stem, "lms": "file"}
    m = CANVAS.match(name)
    if m:
        return {"student": safe_id(f"{m['name']}_{m['user_id']}"), "name": m["name"], "lms": "canvas",
                "user_id": m["user_id"], "submission_id": m["submission_id"],
                "late": bool(m["late"]), "original": m["filename"]}
    m = MOODLE_FILE.match(name)
    if m:
        return {"student": safe_id(f"{m['name']}_{m['user_id']}"), "name": m["name"], "lms": "moodle",
                "user_id": m["user_id"], "original": m["filename"]}
    m = BLACKBOARD.match(name)
    if m:
        try:
            when = datetime.strptime(m["ts"], "%Y-%m-%d-%H-%M-%S").replace(tzinfo=timezone.utc)
        except ValueError:
            when = None
        return {"student": safe_id(m["name"]), "name": m["name"], "lms": "blackboard",
                "user_id": m["name"], "submitted_at": when, "original": m["filename"] or name}
    return {"student": safe_id(stem), "name": stem, "lms": "file"}


def _identify_folder(folder: str) -> dict:
    m = MOODLE_DIR.match(folder)
    if m:
        return {"student": safe_id(f"{m['name']}_{m['user_id']}"), "name": m["name"], "lms": "moodle",
                "user_id": m["user_id"]}
    m = CANVAS.match(folder + "_x")  # a folder named like a Canvas file (rare, but LMS-made)
    if m and m["filename"] == "x":
        return {"student": safe_id(f"{m['name']}_{m['user_id']}"), "name": m["name"], "lms": "canvas",
                "user_id": m["user_id"], "submission_id": m["submission_id"], "late": bool(m["late"])}
    return {"student": safe_id(folder), "name": folder, "lms": "folder"}


def _strip_wrapper(members: list[_Member]) -> list[_Member]:
    """An export zipped with one enclosing folder (``export/<student folders>``): drop that level."""
    tops = {m.parts[0] for m in members}
    if (len(tops) == 1 and all(len(m.parts) >= 2 for m in members)
            and not MOODLE_DIR.match(next(iter(tops)))
            and any(len(m.parts) >= 3 or CANVAS.match(m.parts[-1]) for m in members)):
        return [_Member(m.parts[1:], m.size, m.when, m.open, m.refused) for m in members]
    return members


@dataclass
class _Candidate:
    ident: dict
    member: _Member
    original: str

    def order(self):
        sid = self.ident.get("submission_id")
        when = self.ident.get("submitted_at") or self.member.when
        return (int(sid) if sid and sid.isdigit() else -1,
                when.timestamp() if when else 0.0, self.original)


def plan(sources: list, *, pattern: str | None = None) -> list[tuple[dict, list[_Candidate]]]:
    """Per student (in order of the id), the identity and the candidate files, latest first.
    Reads directories only; nothing is extracted."""
    by_student: dict[str, tuple[dict, list[_Candidate]]] = {}
    for s in sources:
        p = Path(s)
        if p.is_symlink():
            raise IntakeError(f"{p}: is a link; give the file or folder itself")
        if p.is_dir():
            members = _folder_members(p)
        elif p.is_file() and (p.suffix.lower() == ".zip" or zipfile.is_zipfile(p)):
            members = _zip_members(p)
        elif p.is_file():
            st = p.stat()
            members = [_Member((p.name,), st.st_size, datetime.fromtimestamp(st.st_mtime, tz=timezone.utc),
                                (lambda p=p: _open_nofollow(p)))]
        else:
            raise IntakeError(f"{p}: no such file or folder")
        members = _strip_wrapper([m for m in members if not _skip(m.parts)])
        folders_with_nothing: dict[str, dict] = {}
        for m in members:
            if len(m.parts) == 1:
                if Path(m.parts[0]).suffix.lower() not in SUFFIXES:
                    continue
                ident = _identify_file(m.parts[0], pattern)
            else:
                ident = _identify_folder(m.parts[0])
                if Path(m.parts[-1]).suffix.lower() not in SUFFIXES:
                    folders_with_nothing.setdefault(ident["student"], ident)
                    continue
            original = ident.pop("original", None) or m.parts[-1]
            cand = _Candidate(ident, m, original)
            entry = by_student.setdefault(ident["student"], (ident, []))
            entry[1].append(cand)
        for sid, ident in folders_with_nothing.items():
            by_student.setdefault(sid, (ident, []))
    out = []
    for sid in sorted(by_student):
        ident, cands = by_student[sid]
        cands.sort(key=_Candidate.order, reverse=True)
        out.append((cands[0].ident if cands else ident, cands))
    return out


def count(sources: list, pattern: str | None = None) -> int:
    """How many students ``sources`` hold (for a progress bar), without extracting."""
    return len(plan(sources, pattern=pattern))


def _take(member: _Member, target: Path, budget: list[int]) -> str | None:
    """Copy one member to ``target`` under the caps; the student's error message, or None."""
    if member.refused:
        return f"{'/'.join(member.parts)[-120:]} {member.refused}"
    if member.size > MAX_FILE_BYTES:
        return (f"{member.parts[-1][:120]} is {member.size / 2**20:.1f} MB, over the "
                f"{MAX_FILE_BYTES / 2**20:.0f} MB limit for a submission (clear large outputs)")
    written = 0
    try:
        with member.open() as src, open(target, "xb") as dst:
            while chunk := src.read(1 << 16):  # the header's size can lie: count what comes out
                written += len(chunk)
                budget[0] += len(chunk)
                if written > MAX_FILE_BYTES:
                    raise _TooBig()
                if budget[0] > MAX_TOTAL_BYTES:
                    raise IntakeError(f"more than {MAX_TOTAL_BYTES / 2**30:.0f} GiB of submissions "
                                      f"in one source")
                dst.write(chunk)
    except _TooBig:
        target.unlink(missing_ok=True)
        return (f"{member.parts[-1][:120]} is over the {MAX_FILE_BYTES / 2**20:.0f} MB limit for a "
                f"submission (clear large outputs)")
    except IntakeError:
        target.unlink(missing_ok=True)
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt member (CRC, compression, encryption)
        target.unlink(missing_ok=True)
        return f"{member.parts[-1][:120]} could not be read from the export ({type(exc).__name__})"
    return None


def _printable(text) -> str:
    """A name from the export as display text: no control or unpaired surrogate characters."""
    text = "".join(ch for ch in str(text) if not unicodedata.category(ch).startswith("C"))
    return text.strip()[:200]


class _TooBig(Exception):
    pass


def collect(*, sources: list, workdir: str | Path, pattern: str | None = None) -> list[Intake]:
    """One :class:`Intake` per student in ``sources`` (files, folders, zips). The graded file of
    each student is copied under ``workdir`` (created), so nothing is read from the source twice."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    budget = [0]
    out = []
    for n, (ident, cands) in enumerate(plan(sources, pattern=pattern)):
        base = dict(student=ident["student"], name=_printable(ident.get("name", "")),
                    lms=ident.get("lms", "file"), user_id=ident.get("user_id"),
                    submission_id=ident.get("submission_id"), late=bool(ident.get("late")))
        if not cands:
            out.append(Intake(path=None, **base,
                              error="no notebook (.ipynb) or Python file (.py) in this submission"))
            continue
        best = cands[0]
        others = tuple(_printable(c.original) for c in cands[1:])
        when = best.ident.get("submitted_at") or best.member.when
        suffix = Path(best.original).suffix.lower()
        if suffix not in SUFFIXES:
            suffix = Path(best.member.parts[-1]).suffix.lower()
        d = workdir / f"{n:05d}"
        d.mkdir()
        target = d / f"{safe_id(Path(best.original).stem)[:60]}{suffix}"
        err = _take(best.member, target, budget)
        out.append(Intake(path=None if err else target, submitted_at=when,
                          original=_printable(best.original),
                          others=others, error=err, **base))
    return out
