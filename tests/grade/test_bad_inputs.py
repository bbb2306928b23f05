"""Bad input gets a clear result, never a crash and never a pass: every fixture below is graded in
the process sandbox (bubblewrap where available) and none may gain points it did not earn."""
import dataclasses
import json
import os
import subprocess

import pytest

from autograder.grade import grade_one, reference_observations
from autograder.sandbox.process import BASE_UID, ProcessSandbox, bwrap_mode
from autograder.topics import get_topic

SEED = 1234
FULL = 13.0


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory):
    """Grade every topic-10 fixture once (two at a time), with short limits so the runaway
    submissions end quickly."""
    from concurrent.futures import ThreadPoolExecutor

    topic = get_topic("10")
    topic = dataclasses.replace(topic, limits=dataclasses.replace(topic.limits, wall_s=20, cpu_s=20))
    topic = dataclasses.replace(topic, tests=tuple(dataclasses.replace(t, time_limit=4)
                                                   for t in topic.tests))
    ref = reference_observations(topic, SEED)
    out = tmp_path_factory.mktemp("bad")
    box = ProcessSandbox()
    paths = sorted((fixtures / "10_dl_basics").iterdir())

    def one(item):
        slot, path = item
        return path.name, grade_one(topic=topic, path=path, out_dir=out / path.name, seed=SEED,
                                    sandbox=box, ref=ref, slot=slot % 2)

    with ThreadPoolExecutor(2) as pool:
        reports = dict(pool.map(one, enumerate(paths)))
    for name in reports:
        # Every fixture yields a results.json in Gradescope's schema.
        data = json.loads((out / name / "results.json").read_text())
        assert {"score", "execution_time", "tests"} <= set(data)
        for t in data["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(t)
            assert t["status"] in ("passed", "failed")
    return reports


def by_id(report):
    return {t.id: t for t in report.tests}


def test_model_submission_scores_full_marks(graded):
    r = graded["passes_all.ipynb"]
    assert r.score == FULL == r.max_score
    assert r.grader_errors == 0


@pytest.mark.parametrize("name, phrase", [
    ("malformed_json.ipynb", "not valid notebook JSON"),
    ("not_a_notebook.pdf", "not a text file"),
    ("essay.ipynb", "not a text file"),
])
def test_unreadable_files_score_zero_with_a_message(graded, name, phrase):
    r = graded[name]
    assert r.score == 0
    assert all(phrase in t.output for t in r.tests)


def test_syntax_error_costs_only_its_cell(graded):
    r = graded["syntax_error_in_q5_cell.ipynb"]
    t = by_id(r)
    assert t["losses_backward"].status == "failed"
    assert "not defined" in t["losses_backward"].output
    # The cell's own error is said once, in the report's notes, naming the cell as JupyterLab does.
    assert any("SyntaxError" in n and "code cell" in n for n in r.notes)
    assert r.score == FULL - t["losses_backward"].max_score


def test_missing_function_is_named(graded):
    t = by_id(graded["missing_softmax.ipynb"])["softmax_forward"]
    assert t.status == "failed" and "`softmax` is not defined" in t.output


def test_wrong_signature_reports_the_type_error(graded):
    t = by_id(graded["wrong_signature_softmax.ipynb"])["softmax_forward"]
    assert t.status == "failed" and "TypeError" in t.output and "axis" in t.output


def test_exception_inside_student_code(graded):
    r = graded["raises_in_sigmoid.ipynb"]
    t = by_id(r)["activations_forward"]
    assert t.status == "failed" and "ValueError: sigmoid is broken" in t.output
    assert r.score < FULL


def test_nan_outputs_are_reported_as_nan(graded):
    t = by_id(graded["naive_softmax_nan.ipynb"])["softmax_forward"]
    assert t.status == "failed" and "NaN or Inf" in t.output


def test_wrong_shape_is_reported_first(graded):
    t = by_id(graded["wrong_shape_relu.ipynb"])["activations_forward"]
    assert t.status == "failed" and "shape (30,), expected (6, 5)" in t.output


def test_infinite_loop_in_a_function_hits_the_probe_time_limit(graded):
    r = graded["infinite_loop_in_tanh.ipynb"]
    t = by_id(r)["activations_forward"]
    assert t.status == "failed" and "took too long" in t.output
    assert by_id(r)["losses_forward"].status == "passed"  # the other tests still ran


def test_infinite_loop_at_import_hits_the_wall_clock(graded):
    r = graded["infinite_loop_at_import.ipynb"]
    assert r.score == 0
    assert all("time limit" in t.output for t in r.tests)


def test_memory_bomb_is_stopped(graded):
    r = graded["memory_bomb_in_relu.ipynb"]
    t = by_id(r)["activations_forward"]
    assert t.status == "failed" and "memory" in t.output
    assert r.score < FULL


@pytest.mark.skipif(bwrap_mode() is None, reason="needs bubblewrap (per-sandbox uid)")
def test_fork_bomb_is_contained(graded):
    r = graded["fork_bomb.ipynb"]
    assert r.score == 0
    # Nothing of the sandbox's users outlives the grading.
    from autograder.sandbox import slots

    mine = {BASE_UID + k for k, _ in slots._held.values()}  # the uids this process's sandboxes ran as
    assert mine
    left = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True).stdout.split()
    assert not [u for u in left if int(u) in mine]


@pytest.mark.parametrize("name", ["sys_exit_at_import.ipynb"])
def test_sys_exit_in_a_cell_is_a_cell_error(graded, name):
    r = graded[name]
    assert any("SystemExit" in n for n in r.notes)
    assert r.score == FULL  # the rest of the notebook is correct and still graded


def test_os_exit_at_import_scores_zero(graded):
    r = graded["os_exit_at_import.ipynb"]
    assert r.score == 0
    assert all("ended the grading process" in t.output for t in r.tests)


def test_os_exit_inside_a_function_scores_zero_from_there(graded):
    r = graded["os_exit_in_sigmoid.ipynb"]
    assert r.score == 0
    assert "ended before this test finished" in by_id(r)["activations_forward"].output


def test_sys_exit_inside_a_function_fails_that_test(graded):
    r = graded["sys_exit_in_relu.ipynb"]
    t = by_id(r)["activations_forward"]
    assert t.status == "failed" and "exit" in t.output
    assert by_id(r)["losses_forward"].status == "passed"


@pytest.mark.parametrize("name", ["prints_fake_results.ipynb", "writes_results_json.ipynb",
                                  "monkeypatches_allclose.ipynb"])
def test_forgery_gains_nothing(graded, name, tmp_path):
    assert graded[name].score == 0


@pytest.mark.skipif(bwrap_mode() is None and os.environ.get("CI") != "true",
                    reason="needs bubblewrap; CI must have it")
def test_hidden_reference_is_out_of_reach(graded):
    r = graded["reads_hidden_reference.ipynb"]
    assert "bubblewrap" in r.isolation
    assert r.score == 0
