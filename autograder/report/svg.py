"""Small inline-SVG charts for ``report.html``: a horizontal bar chart (linear or log x, vertical
marker lines) and a line chart of a few series (linear or log y). Plain string building, no
plotting library: matplotlib cost the grading driver ~1.4 s to import and 0.3-0.9 s per figure,
CPU taken from the sandboxes on a small host.

Contract (the numbers and labels may come from a submission):

- every text is cleaned of control characters and XML-escaped, and cut to a bounded length;
- a number that cannot be drawn (NaN, inf, or <= 0 on a log axis) is left out, never raises; axis
  ranges come from the drawable values only, so 1e300 or 5e-324 still give a valid axis;
- the output is bounded: at most ``MAX_BARS`` bars, and each series is decimated to at most
  ``2 * MAX_BUCKETS`` points (the min and max of each bucket, so spikes and the shape survive).

Each function returns an ``<svg role="img" aria-label=...>`` element for inline use in HTML.
"""
from __future__ import annotations

import html
import math

from autograder.report.sanitize import clean_text

MAX_BARS = 40
MAX_BUCKETS = 600  # buckets per series; the plot is ~560 px wide, so at least one per pixel
MAX_LABEL = 30  # characters of a bar's label that are drawn (the full text goes in its tooltip)
MAX_TEXT = 300  # characters of any other text (titles, axis labels, legend)
WIDTH = 640
FONT = 12
CHAR_W = 7.2  # advance of a wide 12 px sans-serif glyph, for laying out labels (generous)
DASHES = {"solid": None, "dashed": "6 4", "dotted": "1.5 3"}


def esc(text, limit: int = MAX_TEXT) -> str:
    """``text`` as safe XML character data or attribute value: controls removed, cut to ``limit``
    characters, ``<>&"'`` escaped."""
    s = clean_text(text if isinstance(text, str) else str(text))
    if len(s) > limit:
        s = s[: max(0, limit - 1)] + "\u2026"
    return html.escape(s, quote=True)


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return math.nan
    return f


def _c(x: float) -> str:
    """A coordinate: finite, bounded, one decimal."""
    if not math.isfinite(x):
        x = 0.0
    return f"{max(-1e6, min(1e6, x)):.1f}"


class _Axis:
    """A linear or log axis mapping values in [lo, hi] to [p0, p1] pixels, with round ticks."""

    def __init__(self, values, *, log: bool, p0: float, p1: float, include=(), spacing=70):
        self.log, self.p0, self.p1 = log, p0, p1
        # As many ticks as fit: ``spacing`` px per tick (a label is up to ~6 characters wide; a
        # decade's, "1e-10", 5 at most).
        spacing = min(spacing, 50) if log else spacing
        self.max_ticks = max(3, min(10, int(abs(p1 - p0) / spacing) + 1))
        vals = [v for v in (_num(x) for x in [*values, *include]) if self.drawable(v)]
        if log:
            if not vals:
                vals = [1.0]
            a = math.floor(math.log10(min(vals)))
            b = math.ceil(math.log10(max(vals)))
            if b <= a:
                b = a + 1
            self.a, self.b = a, b
            self.lo, self.hi = float(a), float(b)  # in log10 units
            return
        if not vals:
            vals = [0.0, 1.0]
        lo, hi = min(vals), max(vals)
        lo, hi = max(lo, -1e300), min(hi, 1e300)
        if hi - lo <= 1e-12 * max(abs(lo), abs(hi)) or hi == lo:
            pad = abs(lo) * 0.1 or 1.0
            lo, hi = lo - pad, hi + pad
        self.step = _nice_step(hi - lo, self.max_ticks - 2)
        self.lo = math.floor(lo / self.step) * self.step
        self.hi = math.ceil(hi / self.step) * self.step
        if not (math.isfinite(self.lo) and math.isfinite(self.hi)) or self.hi <= self.lo:
            self.lo, self.hi = lo, hi

    def drawable(self, v: float) -> bool:
        return math.isfinite(v) and (v > 0 if self.log else abs(v) <= 1e300)

    def pos(self, v: float) -> float:
        """Pixel of ``v``; values beyond the axis are clamped just outside it."""
        t = math.log10(v) if self.log else v
        f = (t - self.lo) / (self.hi - self.lo)
        if not math.isfinite(f):
            f = 0.0
        f = max(-0.02, min(1.02, f))
        return self.p0 + f * (self.p1 - self.p0)

    def ticks(self) -> list[tuple[float, str]]:
        if self.log:
            n = self.b - self.a
            every = max(1, math.ceil(n / (self.max_ticks - 1)))
            return [(10.0 ** k, _decade(k)) for k in range(self.a, self.b + 1, every)
                    if -320 < k < 309]
        count = round((self.hi - self.lo) / self.step)
        if not 1 <= count <= 50:
            return [(self.lo, _lin_label(self.lo, self.lo, self.hi - self.lo)),
                    (self.hi, _lin_label(self.hi, self.hi, self.hi - self.lo))]
        ticks = [self.lo + i * self.step for i in range(count + 1)]
        big = max(abs(self.lo), abs(self.hi))
        return [(t, _lin_label(t, big, self.step)) for t in ticks]


def _nice_step(span: float, target: int = 5) -> float:
    """The smallest 1-2-5 step giving at most ``target`` intervals over ``span`` (two more once
    the ends are rounded out to steps)."""
    raw = span / max(1, target)
    if not (math.isfinite(raw) and raw > 0):
        return 1.0
    e = math.floor(math.log10(raw))
    m = raw / 10.0 ** e
    m = 1 if m <= 1 else 2 if m <= 2 else 5 if m <= 5 else 10
    return m * 10.0 ** e


def _decade(k: int) -> str:
    return {-2: "0.01", -1: "0.1", 0: "1", 1: "10", 2: "100", 3: "1000"}.get(k, f"1e{k}")


def _lin_label(v: float, big: float, step: float) -> str:
    v = round(v / step) * step + 0.0 if step > 0 else v  # no "-0", no 0.30000000000000004
    if big < 1e6 and step >= 1:
        return f"{v:.0f}"
    if 1e-3 <= big < 1e6 and step >= 1e-6:
        return f"{v:.{max(0, -math.floor(math.log10(step)))}f}"
    digits = max(1, min(12, math.floor(math.log10(big)) - math.floor(math.log10(step)) + 1))
    s = f"{v:.{digits}g}"
    return s.replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def _dash(style: str | None) -> str:
    d = DASHES.get(style or "solid")
    return f' stroke-dasharray="{d}"' if d else ""


def _open(w: float, h: float, label: str) -> list[str]:
    a = esc(label)
    return [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{a}" '
            f'viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}" height="{h:.0f}" '
            f'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="{FONT}">',
            f"<title>{a}</title>"]


def _text(x, y, s, *, anchor="start", size=None, extra="") -> str:
    sz = f' font-size="{size}"' if size else ""
    return (f'<text x="{_c(x)}" y="{_c(y)}" text-anchor="{anchor}"{sz}{extra}>'
            f"{s}</text>")


def _legend(items, right: float, top: float) -> list[str]:
    """A boxed legend whose top-right corner is at (right, top); items are (label, colour, kind,
    dash) with kind "line" or "box"."""
    if not items:
        return []
    labels = [esc(lbl, 60) for lbl, *_ in items]
    w = 34 + CHAR_W * max(len(html.unescape(s)) for s in labels)
    h = 8 + 18 * len(items)
    x0 = right - w
    out = [f'<rect x="{_c(x0)}" y="{_c(top)}" width="{_c(w)}" height="{_c(h)}" fill="#fff" '
           f'fill-opacity="0.85" stroke="#ccc"/>']
    for i, ((_, color, kind, dash), s) in enumerate(zip(items, labels)):
        y = top + 13 + 18 * i
        if kind == "box":
            out.append(f'<rect x="{_c(x0 + 8)}" y="{_c(y - 5)}" width="18" height="10" '
                       f'fill="{color}"/>')
        else:
            out.append(f'<line x1="{_c(x0 + 6)}" y1="{_c(y)}" x2="{_c(x0 + 28)}" y2="{_c(y)}" '
                       f'stroke="{color}" stroke-width="1.8"{_dash(dash)}/>')
        out.append(_text(x0 + 32, y + 4, s))
    return out


def hbar_chart(labels, values, *, colors, label: str, xlabel: str = "", log: bool = False,
               xlim: tuple[float, float] | None = None, markers=(), legend: bool = False,
               value_fmt=None) -> str:
    """Horizontal bars, first label at the top.

    ``colors``: one colour per bar (or one for all). ``markers``: (x, colour, "dashed"|"dotted",
    legend label or "") vertical lines. ``xlim`` widens the axis (it never hides a bar).
    ``value_fmt``: a function giving the text written at each bar's end (None: no text)."""
    labels = list(labels)
    cut = len(labels) - MAX_BARS
    labels = [str(lbl) for lbl in labels[:MAX_BARS]]
    vals = [_num(v) for v in list(values)[: len(labels)]]
    vals += [math.nan] * (len(labels) - len(vals))
    if isinstance(colors, str):
        colors = [colors] * len(labels)
    colors = list(colors) + ["#1565c0"] * (len(labels) - len(colors))
    shown = [esc(lbl, MAX_LABEL) for lbl in labels]
    left = 12 + 1.06 * CHAR_W * max([len(html.unescape(s)) for s in shown] or [0])
    right_pad = 64 if value_fmt else 28
    pitch, top = 26, 12
    plot_h = max(1, len(labels)) * pitch
    n_legend = sum(1 for m in markers if m[3]) if legend else 0
    h = top + plot_h + 48 + (10 + 18 * n_legend if n_legend else 0)
    ax = _Axis(vals, log=log, p0=left, p1=WIDTH - right_pad,
               include=[*(xlim or ()), *(m[0] for m in markers)] + ([] if log else [0.0]))
    y0, y1 = top, top + plot_h
    out = _open(WIDTH, h, label)
    for t, s in ax.ticks():
        x = ax.pos(t)
        out.append(f'<line x1="{_c(x)}" y1="{_c(y0)}" x2="{_c(x)}" y2="{_c(y1 + 4)}" '
                   f'stroke="#e3e6e9"/>')
        out.append(_text(x, y1 + 17, esc(s), anchor="middle"))
    base = ax.p0 if log else ax.pos(0.0)
    for i, (s, v, color) in enumerate(zip(shown, vals, colors)):
        yc = y0 + pitch * i + pitch / 2
        out.append(_text(left - 8, yc + 4, s, anchor="end"))
        if ax.drawable(v):
            x = ax.pos(v)
            x_a, x_b = min(base, x), max(base, x)
            tip = esc(f"{labels[i]}: {value_fmt(v) if value_fmt else f'{v:.3g}'}", MAX_TEXT)
            out.append(f'<rect x="{_c(x_a)}" y="{_c(yc - pitch * 0.36)}" width="{_c(x_b - x_a)}" '
                       f'height="{_c(pitch * 0.72)}" fill="{esc(color, 20)}">'
                       f"<title>{tip}</title></rect>")
            if value_fmt:
                out.append(_text(x_b + 4, yc + 4, esc(value_fmt(v)), size=11,
                                 extra=' fill="#333" stroke="#fff" stroke-width="3" '
                                       'paint-order="stroke"'))  # readable over a marker line
        else:
            out.append(_text(base + 4, yc + 4, "n/a", size=11, extra=' fill="#757575"'))
    out.append(f'<line x1="{_c(ax.p0)}" y1="{_c(y1)}" x2="{_c(ax.p1)}" y2="{_c(y1)}" '
               f'stroke="#555"/>')
    out.append(f'<line x1="{_c(ax.p0)}" y1="{_c(y0)}" x2="{_c(ax.p0)}" y2="{_c(y1)}" '
               f'stroke="#555"/>')
    items = []
    for x, color, style, name in markers:
        x = _num(x)
        if not ax.drawable(x):
            continue
        px = ax.pos(x)
        out.append(f'<line x1="{_c(px)}" y1="{_c(y0 - 4)}" x2="{_c(px)}" y2="{_c(y1)}" '
                   f'stroke="{esc(color, 20)}" stroke-width="1.3"{_dash(style)}/>')
        if legend and name:
            items.append((name, esc(color, 20), "line", style))
    if xlabel or cut > 0:
        more = f" (the first {MAX_BARS} of {MAX_BARS + cut} shown)" if cut > 0 else ""
        out.append(_text(WIDTH / 2, y1 + 38, esc(xlabel + more), anchor="middle"))
    if items:
        out += _legend(items, ax.p1, y1 + 48)  # below the axis label: never over a bar
    out.append("</svg>")
    return "\n".join(out)


def decimate(ys, max_buckets: int = MAX_BUCKETS) -> list[list[tuple[int, float]]]:
    """``ys`` (indexed 0..n-1) as runs of drawable (index, value) points, split where a value is
    NaN/inf; longer than ``2 * max_buckets`` points, each bucket of consecutive indices keeps its
    minimum and maximum (in index order), so the shape and the spikes survive. A bucket with no
    finite value breaks the line."""
    ys = [_num(v) for v in ys]
    n = len(ys)
    runs: list[list[tuple[int, float]]] = [[]]
    if n <= 2 * max_buckets:
        for i, v in enumerate(ys):
            if math.isfinite(v):
                runs[-1].append((i, v))
            elif runs[-1]:
                runs.append([])
    else:
        for b in range(max_buckets):
            i0, i1 = b * n // max_buckets, (b + 1) * n // max_buckets
            pts = [(i, ys[i]) for i in range(i0, i1) if math.isfinite(ys[i])]
            if not pts:
                if runs[-1]:
                    runs.append([])
                continue
            lo = min(pts, key=lambda p: p[1])
            hi = max(pts, key=lambda p: p[1])
            runs[-1] += sorted({lo, hi})
    return [r for r in runs if r]


def line_chart(series, *, label: str, xlabel: str = "", ylabel: str = "",
               log_y: bool = False) -> str:
    """Lines of y against index. ``series``: (name, values, colour, "solid"|"dashed") per line
    (at most 4). Values that cannot be drawn (NaN, inf, <= 0 on a log axis) break the line."""
    series = list(series)[:4]
    prepared = []
    for name, ys, color, style in series:
        runs = decimate(list(ys))
        if log_y:  # a non-positive value cannot be drawn on a log axis: it breaks the line
            split: list[list[tuple[int, float]]] = []
            for r in runs:
                cur: list[tuple[int, float]] = []
                for p in r:
                    if p[1] > 0:
                        cur.append(p)
                    elif cur:
                        split.append(cur)
                        cur = []
                if cur:
                    split.append(cur)
            runs = split
        prepared.append((name, runs, color, style))
    left, right, top, bottom = 64, WIDTH - 28, 12, 48
    h = 300
    ys_all = [p[1] for _, runs, _, _ in prepared for r in runs for p in r]
    last = max([r[-1][0] for _, runs, _, _ in prepared for r in runs] or [1])
    xa = _Axis([0, max(1, last)], log=False, p0=left, p1=right)
    ya = _Axis(ys_all, log=log_y, p0=h - bottom, p1=top, spacing=36)
    out = _open(WIDTH, h, label)
    for t, s in ya.ticks():
        y = ya.pos(t)
        out.append(f'<line x1="{_c(left)}" y1="{_c(y)}" x2="{_c(right)}" y2="{_c(y)}" '
                   f'stroke="#e3e6e9"/>')
        out.append(_text(left - 6, y + 4, esc(s), anchor="end"))
    for t, s in xa.ticks():
        if t < 0:
            continue
        x = xa.pos(t)
        out.append(f'<line x1="{_c(x)}" y1="{_c(top)}" x2="{_c(x)}" y2="{_c(h - bottom + 4)}" '
                   f'stroke="#e3e6e9"/>')
        out.append(_text(x, h - bottom + 17, esc(s), anchor="middle"))
    out.append(f'<rect x="{_c(left)}" y="{_c(top)}" width="{_c(right - left)}" '
               f'height="{_c(h - bottom - top)}" fill="none" stroke="#555"/>')
    items = []
    for name, runs, color, style in prepared:
        col = esc(color, 20)
        for r in runs:
            pts = " ".join(f"{_c(xa.pos(i))},{_c(ya.pos(v))}" for i, v in r)
            if len(r) == 1:  # a lone point between gaps: a dot, as a line of one point shows nothing
                i, v = r[0]
                out.append(f'<circle cx="{_c(xa.pos(i))}" cy="{_c(ya.pos(v))}" r="1.8" '
                           f'fill="{col}"/>')
            else:
                out.append(f'<polyline points="{pts}" fill="none" stroke="{col}" '
                           f'stroke-width="1.6" stroke-linejoin="round"{_dash(style)}/>')
        items.append((name, col, "line", style))
    if xlabel:
        out.append(_text((left + right) / 2, h - 10, esc(xlabel), anchor="middle"))
    if ylabel:
        out.append(_text(14, (top + h - bottom) / 2, esc(ylabel), anchor="middle",
                         extra=f' transform="rotate(-90 14 {_c((top + h - bottom) / 2)})"'))
    out += _legend(items, right - 6, top + 6)
    out.append("</svg>")
    return "\n".join(out)
