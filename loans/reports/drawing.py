"""Charts of the reports, drawn on the server as SVG by a template, and cached.

Why (docs/REPORTS.md, "Charts"): the pages must work without JavaScript and under
``default-src 'self'``; a server-side SVG is one ``<img>``, needs no script, no CDN and no
vendored bundle. Every chart of the report is a set of horizontal bars: a few lines of
arithmetic here place them, and ``templates/loans/reports/chart.svg`` writes them with
presentation attributes only, so the SVG needs neither script nor style. matplotlib drew them
until it was measured at a third of the installed dependencies and 40 MiB more per web worker
(docs/BENCHMARKS.md, "Charts"). The SVG is cached by a hash of exactly what it shows, so the
same numbers are drawn once.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import get_language

CHART_CACHE_SECONDS = 24 * 60 * 60
TEMPLATE = "loans/reports/chart.svg"
# Colour-blind-safe palette (Okabe–Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]

# Sizes in SVG user units (CSS pixels when the image is shown at its own size).
WIDTH = 760
PAD = 12
FONT = 11  # labels, ticks, legend, unit
TITLE_FONT = 14
# The mean advance of a character of a sans-serif face: enough to leave room for the labels,
# which are cut at 38 characters by loans/reports/charts.py.
CHAR = 0.6 * FONT
TICKS = 5  # about this many intervals on the value axis


@dataclass
class Chart:
    """A chart and the table of its numbers, shown side by side."""

    name: str
    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def fingerprint(self) -> str:
        payload = [self.name, self.title, self.categories, self.series, self.unit, get_language()]
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def svg(chart: Chart) -> str:
    key = f"chart-svg:v2:{chart.fingerprint()}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = draw(chart)
        cache.set(key, drawn, CHART_CACHE_SECONDS)
    return drawn


def draw(chart: Chart) -> str:
    return render_to_string(TEMPLATE, layout(chart))


def _px(value: float) -> str:
    # Every number the template prints is a string made here: a localised template would write
    # 12,5 in Spanish, which SVG reads as two numbers.
    return f"{value:.1f}".removesuffix(".0")


def tick_step(largest: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most about TICKS intervals."""
    raw = largest / TICKS
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _length(value: float | None) -> float:
    # No figure of the report is negative; a missing one (no data) draws no bar.
    return max(0.0, float(value or 0))


def _number(value: float, decimals: int) -> str:
    locale = "es_CO" if (get_language() or "es").startswith("es") else "en_US"
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=locale)


def layout(chart: Chart) -> dict[str, Any]:
    """Where everything goes, in user units: title, legend, labels, bars, axis and ticks."""
    categories = chart.categories or [""]
    series = chart.series or [("", [])]
    largest = max([0.0, *(_length(value) for _label, values in series for value in values)])
    step = tick_step(largest) if largest > 0 else 1 / TICKS
    top = step * math.ceil(largest / step - 1e-9) if largest > 0 else 1.0
    decimals = max(0, -int(Decimal(str(round(step, 9))).normalize().as_tuple().exponent))  # 2.5 → 1, 0.25 → 2

    y = PAD + TITLE_FONT
    title_y = y
    legend = []
    if len(series) > 1:
        x, y = float(PAD), y + 12
        for index, (label, _values) in enumerate(series):
            width = 12 + 5 + len(label) * CHAR + 18
            if x + width > WIDTH - PAD and x > PAD:
                x, y = float(PAD), y + 18
            legend.append(
                {
                    "x": _px(x),
                    "y": _px(y),
                    "text_x": _px(x + 17),
                    "text_y": _px(y + 10),
                    "label": label,
                    "colour": PALETTE[index % len(PALETTE)],
                }
            )
            x += width
        y += 12
    plot_top = y + 14
    plot_left = PAD + min(max(len(label) for label in categories) * CHAR, 0.45 * WIDTH) + 8
    plot_right = WIDTH - PAD - 3 * CHAR  # half the widest tick label hangs past the last tick
    band = 14 + 9 * len(series)  # one category: its bars side by side, and a gap
    bar = 0.8 * band / len(series)
    plot_bottom = plot_top + band * len(categories)

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * value / top

    bars = [
        {
            "x": _px(plot_left),
            "y": _px(plot_top + row * band + 0.1 * band + index * bar),
            "width": _px(x_of(_length(value)) - plot_left),
            "height": _px(bar),
            "colour": PALETTE[index % len(PALETTE)],
        }
        for index, (_label, values) in enumerate(series)
        for row, value in enumerate(values)
    ]
    ticks = [
        {"x": _px(x_of(number * step)), "label": _number(number * step, decimals)}
        for number in range(round(top / step) + 1)
    ]
    return {
        "chart": chart,
        "width": _px(WIDTH),
        "height": _px(plot_bottom + 2 * FONT + 22),
        "font": _px(FONT),
        "title_font": _px(TITLE_FONT),
        "pad": _px(PAD),
        "title_y": _px(title_y),
        "legend": legend,
        "plot": {
            "left": _px(plot_left),
            "right": _px(plot_right),
            "top": _px(plot_top),
            "bottom": _px(plot_bottom),
            "centre": _px((plot_left + plot_right) / 2),
            "tick_y": _px(plot_bottom + FONT + 6),
            "unit_y": _px(plot_bottom + 2 * FONT + 14),
        },
        "labels": [
            {"x": _px(plot_left - 6), "y": _px(plot_top + (row + 0.5) * band), "text": label}
            for row, label in enumerate(categories)
        ],
        "bars": bars,
        "ticks": ticks,
    }
