"""report.html: readable, escaped, pictures inline, hidden tests without their inputs; checked in
headless Chromium (no console errors) with a screenshot."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from autograder.grade import grade
from autograder.report import Report, load_report, write_report
from autograder.report.html import render_html
from autograder.verdict import TestResult as Result

TOPIC = "10_dl_basics"
FIX = Path(__file__).resolve().parent.parent / "fixtures" / TOPIC
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _report(tests, **kw) -> Report:
    base = dict(submission="stud<b>ent</b>", topic=TOPIC, sha256="ab" * 32, seed=1,
                sandbox="process", isolation="bubblewrap", execution_time=1.5, tests=tests,
                notes=[f"code cell 3 raised ValueError: {EVIL}"])
    base.update(kw)
    return Report(**base)


def _synthetic() -> Report:
    return _report([
        Result(id="v", name="values test", kind="V", score=0.0, max_score=2, status="failed",
                   output=f"y: 3 of 10 values differ; worst at index (1, 2): expected 0.5, got 0.7 "
                          f"(abs err 0.2). Your output printed {EVIL}"),
        Result(id="g", name="gradient test", kind="G", score=0.0, max_score=2, status="failed",
                   output="dx: relative error 0.5", details={"self_check": {"relu": 2e-9,
                                                                            "sigmoid": 0.31}}),
        Result(id="c", name="convergence test", kind="C", score=1.0, max_score=1,
                   status="passed", output="accuracy 0.93 >= 0.9",
                   details={"curve": [2.3 * 0.9 ** i for i in range(50)],
                            "reference_curve": [2.3 * 0.85 ** i for i in range(50)]}),
        Result(id="p", name="speed test", kind="P", score=0.0, max_score=1, status="failed",
                   output="too slow: 12x the reference's time",
                   details={"reference_times": [0.001, 0.0011], "submission_times": [0.012, 0.013],
                            "factor": 3.0}),
        Result(id="h", name="hidden edge cases", kind="V", score=0.0, max_score=3,
                   status="failed", output="SECRET_INPUT x=[1e308, -0.0]", visibility="hidden",
                   details={"self_check": {"SECRET_KEY": 0.5}}),
        Result(id="a", name="after the due date", kind="V", score=1.0, max_score=1,
                   status="passed", output="SECRET_LATER", visibility="after_due_date"),
    ])


def test_everything_is_escaped():
    html = render_html(_synthetic())
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "stud&lt;b&gt;ent&lt;/b&gt;" in html
    assert "<img src=x" not in html


def test_pictures_and_numbers():
    html = render_html(_synthetic())
    # self-check bars, loss curves, speed bars: inline SVG, labelled by their captions
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 3
    assert "data:image/png" not in html and "<img" not in html
    assert 'aria-label="Your loss curve against the reference&#x27;s."' in html
    assert "expected 0.5, got 0.7" in html and "worst at index" in html
    assert "2e-09" in html and "0.31" in html  # the finite-difference diagnostic per function
    assert "2 / 10 points" in html


def test_hidden_tests_show_name_and_score_only(tmp_path):
    r = _synthetic()
    html = render_html(r)
    assert "hidden edge cases" in html and "0 / 3" in html
    assert "SECRET_INPUT" not in html and "SECRET_KEY" not in html and "SECRET_LATER" not in html
    assert "shown after the due date" in html
    write_report(r, tmp_path)
    data = json.loads((tmp_path / "results.json").read_text())
    vis = {t["name"]: t["visibility"] for t in data["tests"]}
    assert vis["hidden edge cases"] == "hidden" and vis["after the due date"] == "after_due_date"
    assert vis["values test"] == "visible"
    assert "SECRET_INPUT" not in data["output"] and "SECRET_LATER" not in data["output"]
    back = load_report(tmp_path / "results.json")
    assert back.cached and back.score == r.score and [t.name for t in back.tests] == \
        [t.name for t in r.tests]


def _chromium(args, tmp_path, timeout=90):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_real_report_in_headless_chromium(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FIX / "naive_softmax_nan.ipynb", subs / "dana.ipynb")
    shutil.copy(FIX / "wrong_sigmoid_backward.ipynb", subs / "eve.ipynb")
    grade(topic=TOPIC, submissions=[subs], out=tmp_path / "out", sandbox="process", seed=11)
    eve = (tmp_path / "out" / TOPIC / "students" / "eve" / "report.html").read_text()
    # A failed gradient test carries the finite-difference picture and its reading.
    assert 'role="img"' in eve and "look at the backward" in eve
    page = tmp_path / "out" / TOPIC / "students" / "dana" / "report.html"
    assert page.is_file()
    html = page.read_text()
    assert "11 / 13 points" in html
    assert "NaN or Inf" in html  # what failed, in the verdict's words
    shot = Path(__file__).resolve().parent / "_artifacts"  # kept for a human to look at
    shot.mkdir(exist_ok=True)
    png = shot / "report_dana.png"
    png.unlink(missing_ok=True)
    proc = _chromium(["--window-size=1000,2200", f"--screenshot={png}", page.as_uri()], tmp_path)
    assert png.is_file() and png.stat().st_size > 20_000, proc.stderr[-2000:]
    assert "Uncaught" not in proc.stderr and "ERROR:CONSOLE" not in proc.stderr, proc.stderr
    # Eve's page carries a figure (the inline SVG of her finite-difference errors): it renders.
    eve_png = shot / "report_eve.png"
    eve_png.unlink(missing_ok=True)
    page_eve = tmp_path / "out" / TOPIC / "students" / "eve" / "report.html"
    proc = _chromium(["--window-size=1000,2600", f"--screenshot={eve_png}", page_eve.as_uri()],
                     tmp_path / "4")
    assert eve_png.is_file() and eve_png.stat().st_size > 20_000, proc.stderr[-2000:]
    assert "Uncaught" not in proc.stderr and "ERROR:CONSOLE" not in proc.stderr, proc.stderr
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path / "2")
    assert "11 / 13 points" in dom.stdout and "q3 softmax values" in dom.stdout
    assert "Uncaught" not in dom.stderr and "ERROR:CONSOLE" not in dom.stderr


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_synthetic_report_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_html(_synthetic()))
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path)
    assert "Uncaught" not in dom.stderr and "ERROR:CONSOLE" not in dom.stderr
    # The escaped payload is text in the DOM, never an element or a handler.
    assert "<script>alert" not in dom.stdout and "<img src=\"x\"" not in dom.stdout
    png = Path(__file__).resolve().parent / "_artifacts" / "report_synthetic.png"
    png.parent.mkdir(exist_ok=True)
    png.unlink(missing_ok=True)
    _chromium(["--window-size=1000,2600", f"--screenshot={png}", page.as_uri()], tmp_path / "3")
    assert png.is_file()


def test_figures_from_arrays_left_in_details_do_not_break_the_page():
    import numpy as np

    from autograder.report import Report
    from autograder.report.html import render_html
    from autograder.verdict import TestResult

    r = Report(submission="s", topic="08_gradient_descent", sha256="ab" * 32, seed=1, sandbox="process",
               isolation="", execution_time=1.0, tests=[
                   TestResult(id="c", name="convergence", kind="C", score=0.0, max_score=1, status="failed",
                              output="", details={"curve": np.linspace(1, 0.1, 20),
                                                  "reference_curve": np.array([]),
                                                  "reference_times": np.array([1e-3]),
                                                  "submission_times": 5}),
                   TestResult(id="d", name="text curve", kind="C", score=0.0, max_score=1, status="failed",
                              output="", details={"curve": "not a curve"})])
    page = render_html(r)
    assert page.count("<svg") == 1  # the array curve is drawn; the empty, scalar and text ones are not
