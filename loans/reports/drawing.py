"""Charts of the reports, drawn on the server with matplotlib as SVG and cached.

Why matplotlib (docs/REPORTS.md, "Charts"): the pages must work without JavaScript and under
``default-src 'self'``; a server-side SVG is one ``<img>``, needs no script, no CDN and no
vendored JS bundle, and matplotlib is the best-kept Python charting library. The SVG is
cached by a hash of exactly what it shows, so the same numbers are drawn once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import get_language

CHART_CACHE_SECONDS = 24 * 60 * 60
# Colour-blind-safe palette (Okabe–Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]


@dataclass
class Chart:
    """A chart and the table of its numbers, shown one above the other."""

    name: str
    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    kind: str = "barh"

    @property
    def has_data(self) -> bool:
        """Whether any bar has a value: a chart of zeros says "no data" instead of an empty frame."""
        return any(value for _name, values in self.series for value in values)

    def fingerprint(self) -> str:
        payload = [self.name, self.title, self.categories, self.series, self.unit, self.kind, get_language()]
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def svg(chart: Chart) -> str:
    key = f"chart-svg:v1:{chart.fingerprint()}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = _draw(chart)
        cache.set(key, drawn, CHART_CACHE_SECONDS)
    return drawn


def _draw(chart: Chart) -> str:
    # Imported here: matplotlib costs half a second to import and only chart requests need it.
    # Its font cache needs a writable directory; a container's home may not be one.
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib-retorno"))
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # the object API is thread-safe; pyplot is not

    with matplotlib.rc_context({"svg.hashsalt": "retorno", "svg.fonttype": "none", "font.size": 8}):
        return _render(Figure, chart)


def _render(Figure, chart: Chart) -> str:
    categories = chart.categories or [""]
    bars = len(categories)
    height = max(2.4, 0.32 * bars * max(1, len(chart.series)) ** 0.5 + 1.4)
    figure = Figure(figsize=(7.5, height), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(bars))
    width = 0.8 / max(1, len(chart.series))
    for index, (label, values) in enumerate(chart.series):
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        numbers = [value or 0 for value in values]
        colour = PALETTE[index % len(PALETTE)]
        if chart.kind == "barh":
            axes.barh(offsets, numbers, height=width, label=label, color=colour)
        else:
            axes.bar(offsets, numbers, width=width, label=label, color=colour)
    if chart.kind == "barh":
        axes.set_yticks(positions, labels=categories)
        axes.invert_yaxis()
        axes.set_xlabel(chart.unit)
        axes.grid(axis="x", alpha=0.3)
    else:
        axes.set_xticks(positions, labels=categories)
        axes.set_ylabel(chart.unit)
        axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(chart.title, loc="left", fontsize=11)
    if len(chart.series) > 1:
        axes.legend(loc="best", fontsize=8, frameon=False)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()
