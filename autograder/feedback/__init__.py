"""Feedback release: one folder (or zip) per student with their ``report.html`` and a
``results.json`` in which hidden tests show their name and score only, ready to return through the
LMS (or to upload as Canvas submission comments, one file per student).

Reads the reports ``autograder grade`` wrote under ``<graded>/<topic>/students/<id>/``.
"""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from autograder.errors import UserError


def public_results(data: dict) -> dict:
    """``results.json`` as a student may see it: hidden tests keep name, score, max and status;
    their messages and details are dropped, and so is anything about the grader's host."""
    out = {k: v for k, v in data.items() if k in ("score", "execution_time", "output", "tests",
                                                  "extra_data")}
    tests = []
    for t in data.get("tests", []) or []:
        if not isinstance(t, dict):
            continue
        t = dict(t)
        if t.get("visibility", "visible") != "visible":
            ex = t.get("extra_data") if isinstance(t.get("extra_data"), dict) else {}
            t = {"name": t.get("name"), "score": t.get("score"), "max_score": t.get("max_score"),
                 "status": t.get("status"), "visibility": t.get("visibility"),
                 "output": "hidden test: its inputs and messages are not shown",
                 "extra_data": {"id": ex.get("id"), "status": ex.get("status")}}
        tests.append(t)
    out["tests"] = tests
    ex = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
    keep = ("topic", "submission", "sha256", "seed", "sandbox", "grader_version", "max_score",
            "not_run_points", "grader_errors", "notes", "raw_score", "late", "submission_info")
    out["extra_data"] = {k: ex[k] for k in keep if k in ex}
    return out


def feedback(*, topic: str, graded: str | Path, out: str | Path, zip: bool = False) -> list[Path]:
    """Write ``out/<student>/{report.html, results.json}`` (or ``out/<student>.zip`` with
    ``zip``) for every student graded for ``topic`` under ``graded`` (the grade run's --out)."""
    from autograder.collect import safe_id, students_dir
    from autograder.topics import get_topic

    t = get_topic(topic)
    src = students_dir(graded, t.name)
    if not src.is_dir():
        raise UserError(f"no graded reports for {t.name} in {graded} (expected {src}; run "
                        f"`autograder grade {t.name} ... --out {graded}` first)")
    out = Path(out)
    if out.resolve() == Path(graded).resolve() or src.resolve().is_relative_to(out.resolve()):
        raise UserError("--out for feedback must be a folder apart from the graded reports")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for d in sorted(p for p in src.iterdir() if p.is_dir() and not p.is_symlink()):
        results, page = d / "results.json", d / "report.html"
        if not results.is_file():
            continue
        try:
            data = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        student = safe_id(d.name)
        public = json.dumps(public_results(data), indent=2)
        if zip:
            target = out / f"{student}.zip"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(f"{student}/results.json", public)
                if page.is_file():
                    zf.write(page, f"{student}/report.html")
        else:
            target = out / student
            target.mkdir(exist_ok=True)
            (target / "results.json").write_text(public, encoding="utf-8")
            if page.is_file():
                shutil.copyfile(page, target / "report.html")
        written.append(target)
    if not written:
        raise UserError(f"no graded reports for {t.name} in {src}")
    return written
