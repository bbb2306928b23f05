"""Shared by the topic tests: grade a set of fixture notebooks once, two at a time, against one
reference run."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from autograder.grade import grade_one, reference_observations
from autograder.sandbox.process import ProcessSandbox
from autograder.topics import get_topic


def grade_fixtures(fixture_dir, out, topic_name, names, seed, jobs=2):
    topic = get_topic(topic_name)
    ref = reference_observations(topic, seed)
    box = ProcessSandbox()

    def one(item):
        slot, name = item
        return name, grade_one(topic=topic, path=fixture_dir / name, out_dir=out / name,
                               seed=seed, sandbox=box, ref=ref, slot=slot % jobs)

    with ThreadPoolExecutor(jobs) as pool:
        return dict(pool.map(one, enumerate(sorted(names))))


@pytest.fixture(scope="session")
def fixture_grader():
    return grade_fixtures


def fails_targets(report, name, targets):
    """A buggy fixture: no grader error, every targeted test failed, and points lost."""
    status = {t.id: t.status for t in report.tests}
    assert report.grader_errors == 0
    for test_id in targets:
        assert status[test_id] == "failed", f"{name} should fail {test_id}: {status}"
    assert report.score < report.max_score


def full_marks(report):
    """A correct submission written differently: every test passed (GPU tests on a host without
    one are reported not run, their points apart)."""
    failed = {t.id: t.output for t in report.tests if t.status not in ("passed", "not_run")}
    assert not failed, failed
    assert report.score == report.max_score


@pytest.fixture(scope="session")
def expect():
    return type("Expect", (), {"fails_targets": staticmethod(fails_targets),
                               "full_marks": staticmethod(full_marks)})
