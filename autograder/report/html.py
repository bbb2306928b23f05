"""``report.html``: the page a student reads. Every string from a submission (messages quote its
output and errors) is escaped by Jinja2's autoescape; pictures are inline SVG drawn by
:mod:`autograder.report.svg` (which escapes every label and bounds every figure), so the page is
one self-contained file with no scripts."""
from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from autograder.report import svg

_STATUS = {"passed": ("PASS", "pass"), "failed": ("FAIL", "fail"), "not_run": ("NOT RUN", "skip"),
           "grader_error": ("GRADER ERROR", "err")}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ r.topic }}: {{ r.submission }}: {{ fmt(r.score) }} / {{ fmt(r.max_score) }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:960px;margin:2em auto;
padding:0 1em;color:#1d232a;line-height:1.45;background:#fff}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin:0}
.meta{color:#5a6570;font-size:.9em}
.total{font-size:2.2em;font-weight:700;margin:.3em 0}
.bar{height:12px;background:#e6e9ec;border-radius:6px;overflow:hidden;max-width:420px}
.bar>span{display:block;height:100%;background:#2e7d32}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e3e6e9;vertical-align:top}
td.key{overflow-wrap:anywhere;min-width:12em}
th{background:#f5f7f9;font-weight:600}
td.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;padding:0 .4em;
font-size:.8em;font-weight:700;color:#fff}
.pass{background:#2e7d32}.fail{background:#c62828}.skip{background:#757575}.err{background:#6a1b9a}
.test{border:1px solid #dfe3e7;border-radius:6px;padding:.8em 1em;margin:1em 0}
.test h2 .badge{margin-right:.5em;vertical-align:middle}
pre{background:#f6f8fa;padding:.7em;border-radius:4px;overflow-x:auto;white-space:pre-wrap;
word-break:break-word;font-size:.85em;margin:.5em 0}
.hint{color:#5a6570;font-size:.9em}
.notes{background:#fff8e1;border-left:4px solid #f9a825;padding:.5em 1em}
figure{margin:.8em 0}
figure svg{max-width:100%;height:auto;display:block;margin:.5em 0}
</style></head>
<body>
<h1>{{ r.topic }}</h1>
<div class="meta">submission <b>{{ r.submission }}</b>{% if r.info and r.info.get("file") %} ({{ r.info.get("file") }}{% if r.info.get("lms") in ("canvas", "moodle", "blackboard") %}, from {{ r.info.get("lms")|capitalize }}{% endif %}{% if r.info.get("submitted_at") %}, {{ r.info.get("submitted_at")[:16]|replace("T", " ") }} UTC{% endif %}){% endif %} &middot; graded {{ when }} &middot; seed {{ r.seed }}
 &middot; sandbox {{ r.sandbox }}{% if r.device %} &middot; GPU {{ r.device }}{% endif %}</div>
<div class="total">{{ fmt(r.score) }} / {{ fmt(r.max_score) }} points</div>
<div class="bar"><span style="width:{{ pct }}%"></span></div>
{% if r.late_line() %}<p class="notes"><b>Late:</b> {{ r.late_line() }}.</p>{% endif %}
{% if r.not_run_points %}<p class="hint">{{ fmt(r.not_run_points) }} more points belong to tests that
need a GPU; this grading host has none, so they were not run and do not count against you.</p>{% endif %}
{% if r.grader_errors %}<p class="notes"><b>Grader error:</b> {{ r.grader_errors }} test(s) could not be
graded. This is not your fault; course staff have been told.</p>{% endif %}
{% if r.notes %}<div class="notes"><b>Notes about your notebook</b><ul>
{% for n in r.notes %}<li><pre>{{ n }}</pre></li>{% endfor %}</ul></div>{% endif %}

<table><thead><tr><th>test</th><th>result</th><th class="num">score</th></tr></thead><tbody>
{% for t in tests %}<tr><td><a href="#t{{ loop.index }}">{{ t.name }}</a></td>
<td><span class="badge {{ t.css }}">{{ t.label }}</span></td>
<td class="num">{{ fmt(t.score) }} / {{ fmt(t.max_score) }}</td></tr>{% endfor %}
</tbody></table>

{% for t in tests %}
<section class="test" id="t{{ loop.index }}">
<h2><span class="badge {{ t.css }}">{{ t.label }}</span>{{ t.name }}
<span class="meta">({{ fmt(t.score) }} / {{ fmt(t.max_score) }} points, {{ t.kind_name }})</span></h2>
{% if t.hidden %}
<p class="hint">This is a hidden test: you see its result, not its inputs or messages
{%- if t.visibility == "after_due_date" %} (they are shown after the due date){% elif t.visibility == "after_published" %} (they are shown once grades are published){% endif %}.</p>
{% else %}
{% if t.output and t.status != "passed" %}<p><b>What went wrong</b></p><pre>{{ t.output }}</pre>
{% elif t.output %}<pre>{{ t.output }}</pre>{% endif %}
{% if t.self_check %}<p><b>Finite-difference check of your own functions</b></p>
<p class="hint">Your backward was compared with finite differences of your own forward. A small error
(below about 1e-4) means your backward matches your forward, so if the test failed, look at the
forward; a large one (above about 1e-2) means the backward itself is wrong.</p>
<table><tr><th>gradient</th><th class="num">relative error vs finite differences</th><th>reading</th></tr>
{% for key, err, reading in t.self_check %}<tr><td class="key">{{ key }}</td><td class="num">{{ err }}</td><td>{{ reading }}</td></tr>{% endfor %}
</table>{% endif %}
{% for caption, picture in t.images %}<figure>{{ picture }}
<figcaption class="hint">{{ caption }}</figcaption></figure>{% endfor %}
{% endif %}
</section>
{% endfor %}
<p class="meta">Submission hash {{ r.sha256[:16] }} &middot; grading took {{ "%.1f"|format(r.execution_time) }} s
 &middot; {{ r.isolation }}</p>
</body></html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_template = _env.from_string(_TEMPLATE)


def _fmt(x) -> str:
    try:
        return f"{float(x):g}"
    except (TypeError, ValueError):
        return str(x)


def _floats(seq) -> list[float]:
    if seq is None or isinstance(seq, (str, bytes, dict)):
        return []
    try:
        items = list(seq)  # a list, or an array a verdict left in its details
    except TypeError:
        return []
    out = []
    for v in items:
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):
            f = math.nan
        # A diverging run reaches 1e300 or inf: clipped, so the axis keeps readable ticks.
        out.append(max(-1e12, min(1e12, f)) if not math.isnan(f) else f)
    return out


def _self_check_plot(rows: list[tuple[str, float]], caption: str) -> str:
    vals = [max(v, 1e-16) if math.isfinite(v) else 1.0 for _, v in rows]
    colors = ["#2e7d32" if v < FD_MATCH else "#f9a825" if v < FD_CLOSE else "#c62828" for v in vals]
    return svg.hbar_chart(
        [k for k, _ in rows], vals, colors=colors, label=caption, log=True,
        xlim=(min(min(vals), 1e-6) / 10, max(max(vals), FD_CLOSE) * 10),
        markers=[(FD_MATCH, "#555", "dashed", ""), (FD_CLOSE, "#c62828", "dotted", "")],
        xlabel="relative error of your backward vs finite differences (log scale; "
               "dashed: 1e-4, dotted: 1e-2)", value_fmt=lambda v: f"{v:.2g}")


def _curve_plot(curve, reference, caption: str) -> str:
    c = _floats(curve)
    series = [("your model", c, "#1565c0", "solid")]
    r = _floats(reference)
    if r:
        series.append(("reference", r, "#ef6c00", "dashed"))
    finite = [v for v in c + r if math.isfinite(v)]
    log = bool(finite) and min(finite) > 0 and max(finite) / min(finite) > 100
    return svg.line_chart(series, label=caption, xlabel="step", ylabel="loss", log_y=log)


def _speed_plot(ref_times, sub_times, factor, caption: str) -> str:
    r, s = _floats(ref_times), _floats(sub_times)
    med = lambda xs: sorted(xs)[len(xs) // 2] if xs else math.nan  # noqa: E731
    vals = [med(r) * 1e3, med(s) * 1e3]
    markers = []
    f = _floats([factor])[0] if factor else math.nan
    if math.isfinite(f) and math.isfinite(vals[0]):
        markers.append((vals[0] * f, "#c62828", "dashed", f"limit ({_fmt(factor)}x the reference)"))
    return svg.hbar_chart(["reference", "your code"], vals, colors=["#ef6c00", "#1565c0"],
                          label=caption, markers=markers, legend=True,
                          xlabel="median time per call (ms)", value_fmt=lambda v: f"{v:.3g} ms")


def _figure(images: list, caption: str, draw, *args) -> None:
    """Appends (caption, svg) to ``images``; a figure that cannot be drawn is left out with a
    line saying so (the table and messages carry the same numbers), never failing the page."""
    try:
        images.append((caption, Markup(draw(*args, caption))))
    except Exception as exc:  # noqa: BLE001 - a picture must not cost the student the report
        images.append((caption, Markup(f'<p class="hint">(figure not drawn: '
                                       f"{svg.esc(type(exc).__name__, 60)})</p>")))


# Finite differences are approximate (about 1e-6 to 1e-4 relative error for smooth functions).
FD_MATCH, FD_CLOSE = 1e-4, 1e-2

_KIND = {"V": "values", "G": "gradients", "S": "shapes", "C": "convergence", "P": "speed"}


def _has(d: dict, key: str) -> bool:
    """A non-empty sequence under ``key`` (a list, or an array a verdict left there: never the
    truth value of an array, which raises)."""
    v = d.get(key)
    try:
        return v is not None and not isinstance(v, (str, bytes, dict)) and len(v) > 0
    except TypeError:
        return False


def _test_view(t) -> dict:
    label, css = _STATUS.get(t.status, (t.status, "skip"))
    hidden = t.visibility != "visible"
    view = {"name": t.name, "score": t.score, "max_score": t.max_score, "status": t.status,
            "label": label, "css": css, "output": t.output, "visibility": t.visibility,
            "hidden": hidden, "kind_name": _KIND.get(t.kind, t.kind), "self_check": [],
            "images": []}
    if hidden:
        return view
    d = t.details or {}
    sc = d.get("self_check") or {}
    if isinstance(sc, dict) and sc:
        rows = []
        for key, err in sorted(sc.items(), key=lambda kv: str(kv[0])):
            e = _floats([err])[0]
            reading = ("backward matches your forward" if e < FD_MATCH else
                       "close: within what finite differences can tell apart" if e < FD_CLOSE else
                       "backward disagrees with your forward: look at the backward")
            view["self_check"].append((key, f"{e:.2g}", reading))
            rows.append((key, e))
        if t.status != "passed":  # the table says enough for a pass
            _figure(view["images"], "Relative error of each of your backward functions against "
                    "finite differences of your own forward.", _self_check_plot, rows)
    if _has(d, "curve"):
        _figure(view["images"], "Your loss curve" + (" against the reference's" if _has(
            d, "reference_curve") else "") + ".", _curve_plot, d["curve"], d.get("reference_curve"))
    if _has(d, "reference_times") and _has(d, "submission_times"):
        _figure(view["images"], "Median time per call: the reference, your code, and the allowed "
                "limit.", _speed_plot, d["reference_times"], d["submission_times"], d.get("factor"))
    return view


def render_html(report) -> str:
    pct = 100.0 * report.score / report.max_score if report.max_score else 0.0
    return _template.render(r=report, tests=[_test_view(t) for t in report.tests], fmt=_fmt,
                            pct=f"{max(0.0, min(100.0, pct)):.1f}",
                            when=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def write_html(report, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path
