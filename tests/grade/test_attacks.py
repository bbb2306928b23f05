"""Attacks on the trusted side (issue 9), graded in one batch with a solved neighbour: every
submission has a result, the neighbour gets full marks, no attack gains a point, nothing is left
on the host. Fixtures: tests/fixtures/attacks/ (the solved topic-10 notebook plus one attack cell
each, named by what it tries; regenerate with make_fixtures.py)."""
import json
import os
import shutil
from pathlib import Path

import pytest

from autograder.grade import grade

HERE = Path(__file__).resolve().parent.parent / "fixtures"
FULL = 13.0

# The most each attack may score: its own correct code earns what the attack does not spoil.
EXPECTED_MAX = {
    "stopper_deep_json_observation": 0,  # every observation file unreadable (bounded, no crash)
    "stopper_surrogate_and_escape_codes": FULL - 2,  # relu raises: its tests fail, the rest pass
    "stopper_long_expression": FULL,  # 1000 terms: scanned iteratively, graded normally
    "stopper_too_deep_expression": 0,  # too deep to check: held for review (zero)
    "stopper_integer_cell_source": FULL,  # the malformed cell is skipped, the rest is graded
    "host_3000_nested_dirs": FULL,  # harmless to grade; the folder must still go
    "unbounded_marker_line": FULL,
    "npz_30k_members": 3,  # as the forged header: scalar-only tests remain (if the run ends in time)
    "npz_forged_huge_header": 3,  # the tests with arrays are refused; scalar-only ones remain
    "huge_timings_array": 3,
    "forbidden_guard_removed_computed_import": 0,
    "forbidden_guard_removed_and_restored": 0,
    "forbidden_integrity_report_dropped": 0,
}
EXACT = {"stopper_long_expression", "stopper_integer_cell_source", "host_3000_nested_dirs",
         "unbounded_marker_line", "stopper_surrogate_and_escape_codes"}


def _owned(pid: int) -> list[str]:
    import tempfile

    return [n for n in os.listdir(tempfile.gettempdir())
            if n.startswith((f"ag-{pid}-", f"ag-docker-{pid}-"))]


def _batch(tmp_path, sandbox):
    subs = tmp_path / "subs"
    subs.mkdir()
    for f in sorted((HERE / "attacks").glob("*.ipynb")):
        shutil.copy(f, subs / f.name)
    shutil.copy(HERE / "10_dl_basics" / "passes_all.ipynb", subs / "solved_neighbour.ipynb")
    out = tmp_path / "out"
    before = set(_owned(os.getpid()))  # what earlier tests of this worker process left, if anything
    reports = grade(topic="10", submissions=[subs], out=out, sandbox=sandbox, jobs=2,
                    gradebook=str(out / "gradebook.sqlite"), seed=11)
    return {r.submission: r for r in reports}, out, before


def _check(graded, out, before=frozenset()):
    assert set(graded) == set(EXPECTED_MAX) | {"solved_neighbour"}
    assert graded["solved_neighbour"].score == FULL == graded["solved_neighbour"].max_score
    for name, most in EXPECTED_MAX.items():
        r = graded[name]
        assert r.fault is None, (name, r.notes)
        assert r.score <= most, (name, r.score, [t.output[:200] for t in r.tests])
        if name in EXACT:
            assert r.score == most, (name, r.score, [t.output[:200] for t in r.tests])
        folder = out / "10_dl_basics" / "students" / name
        data = json.loads((folder / "results.json").read_text())
        assert data["score"] == r.score
        for f in ("summary.txt", "results.json", "report.html", "output.txt"):
            if (folder / f).exists():
                text = (folder / f).read_text(encoding="utf-8")
                assert "\x1b" not in text and "\x9b" not in text, (name, f)
    left = sorted(set(_owned(os.getpid())) - set(before))
    assert left == [], f"working folders left on the host by this batch: {left}"
    # the review finding names what could not be checked
    assert "held for review" in graded["stopper_too_deep_expression"].tests[0].output
    assert "guard" in graded["forbidden_guard_removed_and_restored"].tests[0].output


@pytest.mark.slow
def test_attacks_in_the_process_sandbox(tmp_path):
    graded, out, before = _batch(tmp_path, "process")
    _check(graded, out, before)


@pytest.mark.slow
@pytest.mark.docker
def test_attacks_in_docker(tmp_path):
    pytest.importorskip("docker")
    graded, out, before = _batch(tmp_path, "docker")
    _check(graded, out, before)
    import docker

    client = docker.from_env()
    left = client.containers.list(all=True, filters={"label": f"org.autograder.pid={os.getpid()}"})
    # containers started ahead for the next submission are removed at exit; none is left running
    assert all(c.status != "running" or c.attrs["Config"]["Labels"] for c in left)
