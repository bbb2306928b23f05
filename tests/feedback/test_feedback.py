"""Feedback folders: hidden tests show their name and score only."""
import json

from autograder.feedback import feedback, public_results


def _results():
    return {"score": 3, "execution_time": 1.0, "output": "x", "tests": [
        {"name": "q1 shapes", "score": 1, "max_score": 1, "status": "passed", "output": "ok",
         "visibility": "visible", "extra_data": {"id": "shapes", "details": {"a": 1}}},
        {"name": "q2 hidden values", "score": 2, "max_score": 4, "status": "failed",
         "output": "expected [1, 2, 3] at x = 0.5", "visibility": "after_published",
         "extra_data": {"id": "secret", "status": "failed", "details": {"expected": [1, 2, 3]}}}],
        "extra_data": {"topic": "10_dl_basics", "submission": "ann", "isolation": "host detail",
                       "notes": ["n"], "late": {"late": False}}}


def test_public_results_hide_hidden_tests():
    pub = public_results(_results())
    hidden = pub["tests"][1]
    assert hidden["name"] == "q2 hidden values" and hidden["score"] == 2 and hidden["max_score"] == 4
    text = json.dumps(hidden)
    assert "[1, 2, 3]" not in text and "0.5" not in text
    assert pub["tests"][0]["output"] == "ok"
    assert "isolation" not in pub["extra_data"] and pub["extra_data"]["notes"] == ["n"]


def test_feedback_folders(tmp_path):
    d = tmp_path / "out" / "10_dl_basics" / "students" / "ann"
    d.mkdir(parents=True)
    (d / "results.json").write_text(json.dumps(_results()))
    (d / "report.html").write_text("<html></html>")
    (written,) = feedback(topic="10", graded=tmp_path / "out", out=tmp_path / "fb")
    assert written == tmp_path / "fb" / "ann"
    assert "[1, 2, 3]" not in (written / "results.json").read_text()
    assert (written / "report.html").read_text() == "<html></html>"
