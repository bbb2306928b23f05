"""The report's inline SVG figures: hostile labels stay text, hostile numbers never break the
figure (NaN, inf, 1e300, <= 0 on a log axis), long curves are decimated keeping their shape, every
figure is well-formed XML of bounded size, and drawing them imports no plotting library."""
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.report import Report, svg
from autograder.report.html import render_html
from autograder.verdict import TestResult as Result

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '</svg><script>alert(1)</script><img src=x onerror=alert(2)>"\'&\x1b[2J\x00'
BAD = [math.nan, math.inf, -math.inf, 1e300, -1e300, -5.0, 0.0, 5e-324, "x", None, 10**400]


def _report(tests) -> Report:
    return Report(submission="s", topic="t", sha256="ab" * 32, seed=1, sandbox="process",
                  isolation="bubblewrap", execution_time=1.0, tests=tests)


ALL_THREE = [
    Result(id="g", name="g", kind="G", score=0.0, max_score=1, status="failed", output="x",
           details={"self_check": {"relu": 2e-9, "sigmoid": 0.31}}),
    Result(id="c", name="c", kind="C", score=1.0, max_score=1, status="passed", output="x",
           details={"curve": [2.3 * 0.9 ** i for i in range(50)], "reference_curve": [1, 0.5]}),
    Result(id="p", name="p", kind="P", score=0.0, max_score=1, status="failed", output="x",
           details={"reference_times": [0.001], "submission_times": [0.012], "factor": 3.0}),
]


def _parse(fig: str) -> ET.Element:
    root = ET.fromstring(fig)  # well-formed XML: nothing broke out of an attribute or text
    assert root.tag == NS + "svg" and root.get("role") == "img"
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "foreignObject", "img")]
    assert not [k for e in root.iter() for k in e.attrib if k.lower().startswith("on")]
    return root


def _coords_finite(fig: str) -> None:
    for name, val in re.findall(r'\b(x1|x2|y1|y2|x|y|cx|cy|width|height|points)="([^"]*)"', fig):
        for num in re.split(r"[ ,]+", val.strip()):
            assert math.isfinite(float(num)), (name, val)


def test_hostile_labels_are_text():
    fig = svg.hbar_chart([HOSTILE, "ok"], [0.5, 1e-9], colors=["#c62828", "#2e7d32"], log=True,
                         label=HOSTILE, xlabel=HOSTILE, markers=[(1e-4, "#555", "dashed", HOSTILE)],
                         legend=True, value_fmt=lambda v: f"{v:.2g}")
    root = _parse(fig)
    assert "<script" not in fig and "\x1b" not in fig and "\x00" not in fig
    texts = "".join(root.itertext())
    assert "</svg><script>" in texts  # shown to the reader as the text it is (cut to a bound)
    line = svg.line_chart([(HOSTILE, [1, 2, 3], "#1565c0", "solid")], label=HOSTILE,
                          xlabel=HOSTILE, ylabel=HOSTILE)
    _parse(line)
    assert "<script" not in line


def test_hostile_numbers_on_every_axis():
    for log in (False, True):
        fig = svg.hbar_chart([f"k{i}" for i in range(len(BAD))], BAD, colors="#1565c0", log=log,
                             label="bars", markers=[(math.nan, "#555", "dashed", "m"),
                                                    (1e300, "#555", "dotted", "n")],
                             legend=True, value_fmt=lambda v: f"{v:.3g}")
        _parse(fig)
        _coords_finite(fig)
        assert "n/a" in fig  # what cannot be drawn says so
        line = svg.line_chart([("a", BAD * 3, "#1565c0", "solid"), ("b", BAD[::-1], "#ef6c00",
                                                                  "dashed")],
                              label="curve", log_y=log)
        _parse(line)
        _coords_finite(line)
    for empty in ([], [math.nan] * 5, [-1.0, 0.0]):  # nothing drawable: still a valid figure
        _coords_finite(svg.line_chart([("a", empty, "#1565c0", "solid")], label="c", log_y=True))
        _coords_finite(svg.hbar_chart(["a"] * len(empty), empty, colors="#000", label="b", log=True))


def test_round_ticks():
    assert [s for _, s in svg._Axis([0.0, 3.7], log=False, p0=0, p1=500).ticks()] == \
        ["0", "1", "2", "3", "4"]
    assert [s for _, s in svg._Axis([0.02, 0.37], log=False, p0=240, p1=12, spacing=36).ticks()] \
        == ["0.0", "0.1", "0.2", "0.3", "0.4"]
    assert [s for _, s in svg._Axis([0, 19999], log=False, p0=0, p1=560).ticks()] == \
        ["0", "5000", "10000", "15000", "20000"]
    for lo, hi in [(0.0, 1e12), (-5.0, 1e12), (1e-300, 3e-300), (1.0, 1.0 + 1e-15), (7.0, 7.0),
                   (-1e300, 1e300), (0.0013, 0.0021)]:
        ax = svg._Axis([lo, hi], log=False, p0=0, p1=560)
        ticks = ax.ticks()
        assert 2 <= len(ticks) <= 12 and ticks[0][0] <= lo and ticks[-1][0] >= hi, (lo, hi)
        labels = [s for _, s in ticks]
        assert len(set(labels)) == len(labels), labels  # distinct: enough digits
        mant = ax.step / 10 ** math.floor(math.log10(ax.step))
        assert min(abs(mant - m) for m in (1, 2, 5, 10)) < 1e-9, ax.step
    ax = svg._Axis([2e-9, 0.31, 1e-6 / 10, 1e-2 * 10], log=True, p0=0, p1=560)
    assert [s for _, s in ax.ticks()] == ["1e-9", "1e-8", "1e-7", "1e-6", "1e-5", "1e-4", "1e-3",
                                          "0.01", "0.1", "1"]
    ax = svg._Axis([5e-324, 1e12], log=True, p0=0, p1=300)  # 336 decades: a few labelled
    assert 2 <= len(ax.ticks()) <= 6


def test_long_curves_are_decimated_keeping_shape():
    n = 50_000
    ys = [1.0 / (1 + i) for i in range(n)]
    ys[31_337] = 7.0  # a spike must survive decimation
    runs = svg.decimate(ys)
    pts = [p for r in runs for p in r]
    assert len(runs) == 1 and len(pts) <= 2 * svg.MAX_BUCKETS
    assert (31_337, 7.0) in pts and pts[0] == (0, 1.0) and pts[-1][0] > n - n // svg.MAX_BUCKETS
    assert [i for i, _ in pts] == sorted(i for i, _ in pts)
    ys[10_000:12_000] = [math.nan] * 2000  # a gap wider than a bucket breaks the line
    assert len(svg.decimate(ys)) == 2
    assert svg.decimate([1, math.nan, 2, 3]) == [[(0, 1.0)], [(2, 2.0), (3, 3.0)]]
    fig = svg.line_chart([("a", ys, "#1565c0", "solid"), ("b", ys[::-1], "#ef6c00", "dashed")],
                         label="c", log_y=True)
    _parse(fig)
    assert len(fig) < 80_000  # bounded whatever the length of the curves


def test_many_bars_are_bounded():
    fig = svg.hbar_chart([f"k{i}" for i in range(10_000)], [1.0] * 10_000, colors="#000",
                         label="b", xlabel="x")
    _parse(fig)
    assert fig.count("<rect") == svg.MAX_BARS and "first 40 of 10000" in fig
    assert len(svg.hbar_chart(["w" * 10_000], [1.0], colors="#000", label="y" * 10_000)) < 4_000


def test_report_with_hostile_details():
    curve = [2.3 * 0.9999 ** i for i in range(30_000)]
    curve[100], curve[200], curve[300], curve[400] = math.nan, math.inf, 1e300, -5.0
    r = _report([
        Result(id="g", name="gradients", kind="G", score=0.0, max_score=1, status="failed",
               output="x", details={"self_check": {HOSTILE: math.nan, "b" * 500: 1e300,
                                                   "neg": -3, "ok": 1e-9, 7: "str"}}),
        Result(id="c", name="curve", kind="C", score=0.0, max_score=1, status="failed",
               output="x", details={"curve": curve, "reference_curve": ["a", None, 2.0]}),
        Result(id="p", name="speed", kind="P", score=0.0, max_score=1, status="failed",
               output="x", details={"reference_times": [math.nan], "submission_times": [1e300],
                                    "factor": "3<script>"}),
    ])
    page = render_html(r)
    assert "<script" not in page and "<img" not in page and "&lt;/svg&gt;&lt;script&gt;" in page
    figs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(figs) == 3
    for fig in figs:
        _parse(fig)
        _coords_finite(fig)
    assert len(page) < 200_000


def test_a_figure_that_fails_costs_only_itself(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(svg, "line_chart", boom)
    r = _report([Result(id="c", name="curve", kind="C", score=1.0, max_score=1, status="passed",
                        output="ok", details={"curve": [3, 2, 1]})])
    page = render_html(r)
    assert "figure not drawn: RuntimeError" in page and "1 / 1 points" in page


def test_drawing_imports_no_plotting_library():
    code = ("import sys\nsys.path.insert(0, sys.argv[1])\nfrom test_svg import _report, ALL_THREE\n"
            "from autograder.report.html import render_html\n"
            "assert render_html(_report(ALL_THREE)).count('role=\"img\"') == 3\n"
            "print('PLOT', [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'PIL')])\n")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)],
                         capture_output=True, text=True, timeout=120)
    assert "PLOT []" in out.stdout, out.stdout + out.stderr[-2000:]
