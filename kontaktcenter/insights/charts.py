"""Small server-rendered SVG charts: no JavaScript, no CDN, no plotting library.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and summarised in a
``<desc>``; the page puts a table with the same numbers beside it, so nothing is only
in the picture. Colours are presentation attributes (the console's CSP forbids inline
styles) with at least 3:1 contrast against white for bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#0b5394"
TEXT = "#1a1a1a"
GRID = "#767676"
# Light to dark blue for the week heat map; 0 is white with a grey outline.
HEAT = ("#ffffff", "#d6e4f2", "#a9c6e3", "#6d9fd0", "#3a77b4", "#0b5394", "#07335c")


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, value: str, anchor: str = "start", size: int = 12) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{TEXT}" '
            f'text-anchor="{anchor}" font-family="sans-serif">{escape(value)}</text>')


def horizontal_bars(chart_id: str, title: str, items: Sequence[tuple[str, int]],
                    desc: str = "") -> str:
    """One labelled bar per item, value at its end; for top lists and scores."""
    label_width, bar_width, row = 220, 300, 26
    width = label_width + bar_width + 60
    height = max(1, len(items)) * row + 10
    top = max((value for _label, value in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        length = bar_width * value / top
        shown = label if len(label) <= 32 else label[:31] + "…"
        body.append(_text(label_width - 8, y + 16, shown, "end"))
        body.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="18" '
                    f'fill="{BAR}"/>')
        body.append(_text(label_width + length + 6, y + 16, str(value)))
    if not items:
        body.append(_text(10, 20, "Inga data för perioden."))
    summary = desc or "; ".join(f"{label}: {value}" for label, value in items) or "Inga data."
    return _svg(chart_id, title, summary, width, height, body)


def vertical_bars(chart_id: str, title: str, items: Sequence[tuple[str, int]],
                  desc: str = "") -> str:
    """Bars over time (per day); labels thinned so they never overlap."""
    count = max(1, len(items))
    width, height, left, bottom, top_pad = 640, 220, 40, 40, 16
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max((value for _label, value in items), default=0) or 1
    step = plot_w / count
    every = max(1, round(count / 10))
    body = [f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" '
            f'y2="{top_pad + plot_h}" stroke="{GRID}"/>',
            _text(left - 6, top_pad + 4, str(top), "end", 11),
            _text(left - 6, top_pad + plot_h, "0", "end", 11)]
    for i, (label, value) in enumerate(items):
        bar_h = plot_h * value / top
        x = left + i * step
        body.append(f'<rect x="{x + step * 0.15:.1f}" y="{top_pad + plot_h - bar_h:.1f}" '
                    f'width="{max(1.0, step * 0.7):.1f}" height="{bar_h:.1f}" fill="{BAR}"/>')
        if i % every == 0:
            body.append(_text(x + step / 2, height - bottom + 16, label, "middle", 11))
    total = sum(value for _label, value in items)
    summary = desc or f"{len(items)} staplar, totalt {total}, högst {top}."
    return _svg(chart_id, title, summary, width, height, body)


def week_heatmap(chart_id: str, title: str, rows: Sequence[str],
                 grid: Sequence[Sequence[int]], desc: str = "") -> str:
    """Weekday rows x 24 hour columns, darker for more."""
    cell, left, top_pad = 22, 80, 22
    width, height = left + 24 * cell + 10, top_pad + len(rows) * cell + 10
    peak = max((n for row in grid for n in row), default=0)
    body = [_text(left + h * cell + cell / 2, 15, f"{h:02d}", "middle", 10)
            for h in range(0, 24, 3)]
    for r, name in enumerate(rows):
        y = top_pad + r * cell
        body.append(_text(left - 6, y + 15, name, "end", 11))
        for h, n in enumerate(grid[r]):
            shade = HEAT[0] if not n else HEAT[1 + min(5, (n * 6 - 1) // max(1, peak))]
            body.append(f'<rect x="{left + h * cell}" y="{y}" width="{cell - 2}" '
                        f'height="{cell - 2}" fill="{shade}" stroke="{GRID}" '
                        f'stroke-width="0.5"/>')
    summary = desc or f"Flest samtal under en timme: {peak}."
    return _svg(chart_id, title, summary, width, height, body)
