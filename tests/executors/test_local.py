"""The local executor runs grading jobs on this host; the driver judges their result bundles."""
import json
from pathlib import Path

import pytest

from autograder.executors import LocalExecutor, get_executor
from autograder.gradebook import Gradebook
from autograder.grade import grade
from autograder.job import REFERENCE_CACHE
from autograder.sandbox.process import ProcessSandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "10_dl_basics"


class FlakySandbox(ProcessSandbox):
    """Fails every run of one student's cells (a worker fault, not the student's)."""

    def run(self, *, workdir, job, limits, slot=0):
        if any("BREAK-THE-WORKER" in c["source"] for c in job["cells"]):
            raise OSError("simulated worker failure")
        return super().run(workdir=workdir, job=job, limits=limits, slot=slot)


def test_batch_runs_the_reference_once_and_a_failing_job_is_that_students_grader_error(
        tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    subs.mkdir()
    for p in EXAMPLES.glob("*.ipynb"):
        (subs / p.name).write_bytes(p.read_bytes())
    nb = json.loads((subs / "alice.ipynb").read_text())
    nb["cells"].append({"cell_type": "code", "id": "breaks-worker", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": ["# BREAK-THE-WORKER\n"]})
    (subs / "dave.ipynb").write_text(json.dumps(nb))

    made = []

    def local(**kw):
        ex = LocalExecutor(jobs=2, box=FlakySandbox())
        made.append(ex)
        return ex

    monkeypatch.setattr("autograder.executors.get_executor", lambda name, **kw: local(**kw))
    before = REFERENCE_CACHE.misses
    book = str(tmp_path / "book.sqlite")
    reports = {r.submission: r for r in grade(topic="10", submissions=[str(subs)], out=tmp_path / "out",
                                              seed=4242, gradebook=book)}
    assert REFERENCE_CACHE.misses - before == 1  # one reference run for the batch
    assert reports["alice"].score == reports["alice"].max_score == 13
    assert reports["carol"].score == 0 and reports["carol"].grader_errors == 0
    dave = reports["dave"]
    assert dave.score == 0 and dave.grader_errors == len(dave.tests)
    assert "failed 3 time(s)" in dave.tests[0].output
    gb = Gradebook(book)
    try:
        assert sorted(r.student for r in gb.rows()) == ["alice", "bob", "carol"]  # dave: not a grade
    finally:
        gb.close()


def test_executors_are_found_by_name_and_ray_is_not_imported():
    import sys

    assert isinstance(get_executor("local", jobs=1, sandbox="process", address="ignored"), LocalExecutor)
    # In a fresh interpreter: another test of this worker process may have imported ray itself.
    import subprocess

    code = ("import sys\nfrom autograder.executors import get_executor\n"
            "get_executor('local', jobs=1, sandbox='process')\nprint('ray' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stdout + out.stderr[-1000:]
    with pytest.raises(ValueError):
        get_executor("nope")


def test_prepare_warms_each_slot_with_the_topics_own_imports():
    from autograder.topics import get_topic

    class Recording(ProcessSandbox):
        def __init__(self):
            super().__init__()
            self.calls = []

        def warm_up(self, *, limits, slots, modules=None):
            self.calls.append((limits, slots, modules))
            raise RuntimeError("a head start that fails is ignored")

    box = Recording()
    topic = get_topic("22_attention")
    LocalExecutor(jobs=2, box=box).prepare(topic=topic)
    ((limits, slots, modules),) = box.calls
    assert limits == topic.limits and slots == 2 and modules == ("numpy", "torch")
    LocalExecutor(jobs=1, box=box).prepare(topic=get_topic("10_dl_basics"))
    assert box.calls[-1][2] == ("numpy",)  # a NumPy topic's zygote does not pay for torch
