"""What drawing the report's 13 charts costs: the portal's SVG template against matplotlib (which
drew them until this benchmark) and pygal (docs/BENCHMARKS.md, "Charts").

    .venv/bin/python benchmarks/charts_cost.py [--runs 5] [--matplotlib-python PATH] [--pygal-python PATH]

matplotlib and pygal are never installed in the project's environment: each runs in a scratch
virtualenv of its own, named by its interpreter, e.g.

    python3 -m venv /tmp/mpl-venv && /tmp/mpl-venv/bin/pip install matplotlib==3.11.2
    python3 -m venv /tmp/pygal-venv && /tmp/pygal-venv/bin/pip install pygal

Four measures, each against a reference taken in the same run:

1. installed size: matplotlib and the dependencies only it would bring (the ones the portal does
   not already install for something else), against the portal's runtime dependencies;
2. import time, in a fresh interpreter: matplotlib with its Agg backend and Figure, and the
   portal's drawing module with its template compiled, against django.setup();
3. web worker memory: one gunicorn sync worker (benchmark settings, the database named by
   CHARTS_BENCH_DATABASE_URL, 1,000 applications from seed_bulk); VmRSS from /proc/<pid>/status
   after a trivial request, after GET /informes/ (tables and <img> tags) and after the 13 chart
   SVGs it links to;
4. each renderer alone: a fresh interpreter loads the 13 charts (their data, as JSON), then
   imports what it draws with and draws them all; VmRSS growth and time, and what the SVG holds
   (``<script>``, ``<style>`` and ``style=``, which a strict CSP has to allow).

The database (created and seeded when missing):
    CHARTS_BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/retorno_charts_bench
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get("CHARTS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_charts_bench")
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]


def vm(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution_sizes(roots: list[str]) -> dict[str, int]:
    """Bytes on disk of each distribution that ``roots`` need, in this interpreter."""
    import importlib.metadata as metadata

    dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}
    seen: set[str] = set()
    stack = [norm(root) for root in roots]
    while stack:
        name = stack.pop()
        if name in seen or name not in dists:
            continue
        seen.add(name)
        for text in dists[name].requires or []:
            if _needed(text):
                stack.append(norm(re.match(r"[A-Za-z0-9._-]+", text).group()))
    sizes = {}
    for name in seen:
        paths = (Path(str(file.locate())) for file in dists[name].files or [])
        sizes[name] = sum(path.stat().st_size for path in paths if path.is_file())
    return sizes


def _needed(requirement: str) -> bool:
    """Whether a Requires-Dist line applies here (extras never do); packaging may be absent."""
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return "extra ==" not in requirement
    marker = Requirement(requirement).marker
    return marker is None or marker.evaluate({"extra": ""})


# --- run in a scratch interpreter or a fresh one ------------------------------------------------


def draw_matplotlib(charts: list[dict]) -> list[str]:
    """The portal's former drawing code (loans/charts.py until the switch), fed the same data."""
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib-retorno"))
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    drawn = []
    for chart in charts:
        with matplotlib.rc_context({"svg.hashsalt": "retorno", "svg.fonttype": "none", "font.size": 8}):
            categories = chart["categories"] or [""]
            series = chart["series"]
            height = max(2.4, 0.32 * len(categories) * max(1, len(series)) ** 0.5 + 1.4)
            figure = Figure(figsize=(7.5, height), layout="constrained")
            axes = figure.add_subplot()
            positions = list(range(len(categories)))
            width = 0.8 / max(1, len(series))
            for index, (label, values) in enumerate(series):
                offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
                numbers = [value or 0 for value in values]
                axes.barh(offsets, numbers, height=width, label=label, color=PALETTE[index % len(PALETTE)])
            axes.set_yticks(positions, labels=categories)
            axes.invert_yaxis()
            axes.set_xlabel(chart["unit"])
            axes.grid(axis="x", alpha=0.3)
            axes.set_axisbelow(True)
            axes.spines[["top", "right"]].set_visible(False)
            axes.set_title(chart["title"], loc="left", fontsize=11)
            if len(series) > 1:
                axes.legend(loc="best", fontsize=8, frameon=False)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
            drawn.append(buffer.getvalue())
    return drawn


def draw_pygal(charts: list[dict]) -> list[str]:
    """The same charts as close as pygal's options allow: Okabe-Ito colours, horizontal bars, a
    legend when there are several series, no JavaScript file (js=[]), no XML declaration."""
    import pygal
    from pygal.style import Style

    style = Style(colors=tuple(PALETTE))
    drawn = []
    for chart in charts:
        legend = len(chart["series"]) > 1
        figure = pygal.HorizontalBar(
            js=[], style=style, title=chart["title"], show_legend=legend, disable_xml_declaration=True
        )
        figure.x_labels = chart["categories"]
        for label, values in chart["series"]:
            figure.add(label, [value or 0 for value in values])
        drawn.append(figure.render(is_unicode=True))
    return drawn


def template_renderer():
    """The portal's own: Django set up first (every worker has it), then draw()."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("es")

    def draw_all(charts: list[dict]) -> list[str]:
        from loans.reports.drawing import Chart, draw

        return [draw(Chart(**chart)) for chart in charts]

    return draw_all


def renderer_child(name: str, data_path: str) -> None:
    charts = json.loads(Path(data_path).read_text())
    draw = {"templates": template_renderer, "matplotlib": lambda: draw_matplotlib, "pygal": lambda: draw_pygal}[name]()
    before = vm()
    started = time.perf_counter()
    drawn = draw(charts)
    seconds = time.perf_counter() - started
    after = vm()
    svg = "".join(drawn)
    print(
        json.dumps(
            {
                "before_kb": before["VmRSS"],
                "after_kb": after["VmRSS"],
                "seconds": seconds,
                "charts": len(drawn),
                "bytes": len(svg),
                "scripts": len(re.findall(r"<script", svg)),
                "style_elements": len(re.findall(r"<style", svg)),
                "style_attributes": len(re.findall(r"\sstyle=", svg)),
            }
        )
    )


IMPORT_CHILD = """
started = time.perf_counter()
{code}
print(json.dumps(time.perf_counter() - started))
"""
DJANGO_SETUP = """
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
import django
django.setup()
"""
TEMPLATE_IMPORT = """
from django.template.loader import get_template
import loans.reports.drawing
get_template(loans.reports.drawing.TEMPLATE)
"""
MATPLOTLIB_IMPORT = """
os.environ.setdefault("MPLCONFIGDIR", os.path.join({tmp!r}, "matplotlib-retorno"))
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
"""


def _timed(python: str, code: str, before: str = "") -> float:
    program = "import json, os, sys, time\n" + before + IMPORT_CHILD.format(code=code)
    return json.loads(subprocess.run([python, "-c", program], capture_output=True, text=True, check=True).stdout)


# --- 1. installed size -------------------------------------------------------------------------


def installed_sizes(matplotlib_python: str | None, pygal_python: str | None) -> None:
    lines = (ROOT / "requirements.in").read_text().splitlines()
    top = [re.split(r"[=<>\[ ]", line.strip())[0] for line in lines if line.strip() and not line.startswith("#")]
    portal = distribution_sizes(top)
    mb = 1024 * 1024
    total = sum(portal.values())
    print(f"1. installed: the portal's runtime dependencies {total / mb:.1f} MiB ({len(portal)} distributions)")
    print("   templates: nothing more (Django and babel are there already)")
    for name, python in (("matplotlib", matplotlib_python), ("pygal", pygal_python)):
        if not python:
            continue
        code = f"import json, sys; sys.path.insert(0, {str(HERE)!r}); from charts_cost import distribution_sizes; "
        code += f"print(json.dumps(distribution_sizes([{name!r}])))"
        sizes = json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)
        more = {dist: size for dist, size in sizes.items() if dist not in portal}
        shared = sorted(set(sizes) - set(more))
        print(
            f"   {name}: +{sum(more.values()) / mb:.1f} MiB = +{sum(more.values()) / total:.2f} x the runtime "
            f"({', '.join(f'{d} {s / mb:.1f}' for d, s in sorted(more.items(), key=lambda i: -i[1]))}); "
            f"already there: {', '.join(shared) or 'none'}"
        )


# --- 2. import time ----------------------------------------------------------------------------


def import_times(runs: int, matplotlib_python: str | None, pygal_python: str | None) -> None:
    setup = DJANGO_SETUP.format(root=str(ROOT))
    rows = {"django.setup()": [_timed(PYTHON, setup) for _ in range(runs)]}
    rows["templates (after django.setup())"] = [_timed(PYTHON, TEMPLATE_IMPORT, before=setup) for _ in range(runs)]
    if matplotlib_python:
        code = MATPLOTLIB_IMPORT.format(tmp=tempfile.gettempdir())
        rows["matplotlib + Agg + Figure"] = [_timed(matplotlib_python, code) for _ in range(runs)]
    if pygal_python:
        rows["pygal"] = [_timed(pygal_python, "import pygal") for _ in range(runs)]
    reference = median(rows["django.setup()"])
    print(f"2. import, fresh interpreter, median of {runs}:")
    for name, seconds in rows.items():
        print(
            f"   {name:34} {median(seconds) * 1000:7.1f} ms = {median(seconds) / reference:.3f} x django.setup() "
            f"(runs {', '.join(f'{s * 1000:.0f}' for s in seconds)})"
        )


# --- 3. web worker memory --------------------------------------------------------------------


def prepare_database() -> None:
    from harness import ensure_database, manage

    if ensure_database(DATABASE_URL):
        manage("migrate", "--noinput", database_url=DATABASE_URL)
        manage("seed_bulk", "--applications", "1000", database_url=DATABASE_URL)


def worker_memory(runs: int) -> list[dict]:
    from harness import gunicorn, request, setup_django, staff_session

    setup_django(DATABASE_URL)
    from django.urls import reverse
    from django.utils import translation

    from loans.reports.charts import all_charts
    from loans.reports.figures import build_report
    from loans.reports.filters import ReportFilters

    session = staff_session("charts-bench@example.co", ["loans.view_reports"])
    translation.activate("es")
    charts = all_charts(build_report(ReportFilters()))
    page = reverse("loans:reports")
    svgs = [reverse("loans:report_chart", args=[chart.name]) for chart in charts]
    figures: dict[str, list[int]] = {"trivial": [], "page": [], "charts": [], "peak": []}
    for _ in range(runs):
        with gunicorn(DATABASE_URL, workers=1) as server:
            assert request(server.port, "GET", "/bench/trivial/", session)[0] == 200
            (pid,) = server.worker_pids()
            figures["trivial"].append(vm(pid)["VmRSS"])
            assert request(server.port, "GET", page, session)[0] == 200
            figures["page"].append(vm(pid)["VmRSS"])
            for path in svgs:
                assert request(server.port, "GET", path, session)[0] == 200, path
            after = vm(pid)
            figures["charts"].append(after["VmRSS"])
            figures["peak"].append(after["VmHWM"])
    trivial, page_kb, charts_kb = (median(figures[key]) for key in ("trivial", "page", "charts"))
    print(
        f"3. gunicorn worker VmRSS, median of {runs} fresh workers: after a trivial request {trivial / 1024:.1f} MiB; "
        f"after /informes/ {page_kb / 1024:.1f} MiB; after its {len(svgs)} charts {charts_kb / 1024:.1f} MiB "
        f"(peak {median(figures['peak']) / 1024:.1f} MiB) = {charts_kb / page_kb:.3f} x the page alone"
    )
    return [
        {"name": c.name, "title": c.title, "categories": c.categories, "series": c.series}
        | {"unit": c.unit, "columns": c.columns}
        for c in charts
    ]


def renderers(charts: list[dict], runs: int, pythons: dict[str, str]) -> None:
    data = Path(tempfile.mkdtemp()) / "charts.json"
    data.write_text(json.dumps(charts, default=float))
    print(f"4. one fresh interpreter draws the {len(charts)} charts, median of {runs}:")
    for name, python in pythons.items():
        results = [
            json.loads(
                subprocess.run(
                    [python, __file__, "--render", name, str(data)], capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(runs)
        ]
        grown = median((r["after_kb"] - r["before_kb"]) / 1024 for r in results)
        last = results[-1]
        print(
            f"   {name:10} +{grown:5.1f} MiB VmRSS, {median(r['seconds'] for r in results):.2f} s to import and draw, "
            f"{last['bytes'] / 1024:.0f} KiB of SVG; <script> {last['scripts']}, <style> {last['style_elements']}, "
            f"style= {last['style_attributes']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--matplotlib-python")
    parser.add_argument("--pygal-python")
    parser.add_argument("--render", nargs=2, metavar=("RENDERER", "DATA"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.render:
        renderer_child(*options.render)
        return
    sys.path.insert(0, str(HERE))
    from harness import machine

    print(machine())
    installed_sizes(options.matplotlib_python, options.pygal_python)
    import_times(options.runs, options.matplotlib_python, options.pygal_python)
    prepare_database()
    charts = worker_memory(options.runs)
    pythons = {"templates": PYTHON}
    if options.matplotlib_python:
        pythons["matplotlib"] = options.matplotlib_python
    if options.pygal_python:
        pythons["pygal"] = options.pygal_python
    renderers(charts, options.runs, pythons)


if __name__ == "__main__":
    main()
