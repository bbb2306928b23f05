"""The late policy of the course config: days late, percent per day with a cap, grace, zero."""
from datetime import datetime, timedelta, timezone

import pytest

from autograder.course import Assignment, LatePolicy, lateness, load_course
from autograder.errors import UserError
from autograder.topics import get_topic

DUE = datetime(2026, 11, 20, 23, 59, tzinfo=timezone.utc)


def _late(policy, hours, *, lms="moodle", flag=False, due=DUE):
    when = None if hours is None else DUE + timedelta(hours=hours)
    return lateness(assignment=Assignment(due=due, late=policy), submitted_at=when, lms_late=flag,
                    lms=lms)


def test_percent_per_day_with_cap_and_grace():
    pol = LatePolicy(policy="per_day", percent_per_day=10, max_percent=25, grace_minutes=30)
    assert _late(pol, -1) == {**_late(pol, -1), "late": False, "days": 0, "percent": 0.0}
    assert _late(pol, 0.4)["late"] is False  # inside the grace period
    assert _late(pol, 1)["days"] == 1 and _late(pol, 1)["percent"] == 10
    assert _late(pol, 36)["days"] == 2 and _late(pol, 36)["percent"] == 20
    assert _late(pol, 24 * 9)["percent"] == 25  # the cap


def test_zero_and_none():
    assert _late(LatePolicy(policy="zero"), 1)["percent"] == 100
    off = _late(LatePolicy(), 50)
    assert off["late"] and off["percent"] == 0  # recorded late, no deduction


def test_canvas_flag_decides():
    pol = LatePolicy(policy="per_day", percent_per_day=10)
    # Canvas knows extensions: no flag means on time whatever the file's time says
    assert _late(pol, 50, lms="canvas", flag=False)["late"] is False
    assert _late(pol, -3, lms="canvas", flag=True)["days"] == 1  # flagged: at least a day
    assert _late(pol, 49, lms="canvas", flag=True)["days"] == 3
    # no due date configured: a flagged file counts as one day
    assert _late(pol, None, lms="canvas", flag=True, due=None)["days"] == 1


def test_course_file(tmp_path):
    p = tmp_path / "course.toml"
    p.write_text('[late]\npolicy = "per_day"\npercent_per_day = 5\n\n'
                 '[assignments."09"]\ndue = 2026-11-20T23:59:00Z\ncanvas = "NN (42)"\n'
                 'late = { percent_per_day = 20 }\n')
    c = load_course(p)
    a9 = c.assignment(get_topic("09"))
    assert a9.due == DUE and a9.canvas == "NN (42)" and a9.late.percent_per_day == 20
    assert a9.late.policy == "per_day"
    assert c.assignment(get_topic("10")).late.percent_per_day == 5
    for bad in ['[late]\npercent_per_day = -1\n', '[late]\nfoo = 1\n', 'late = 3\n',
                '[assignments."09"]\ndue = "tomorrow"\n', "not toml ["]:
        p.write_text(bad)
        with pytest.raises(UserError):
            load_course(p)
    with pytest.raises(UserError):
        load_course(tmp_path / "missing.toml")
