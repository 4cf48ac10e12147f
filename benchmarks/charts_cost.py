"""What drawing the report's 13 charts costs, with matplotlib and with the alternatives
(docs/BENCHMARKS.md, "Charts: matplotlib's cost").

    .venv/bin/python benchmarks/charts_cost.py [--runs 5] [--pygal-python PATH]

Four measures, each against a reference taken in the same run:

1. installed size: the files of matplotlib and of the dependencies only it brings (numpy,
   kiwisolver, ...; pillow and fonttools stay, fpdf2 needs them), against every runtime
   dependency of requirements.in;
2. import time: in a fresh interpreter, importing what drawing needs, against django.setup();
3. web worker memory: one gunicorn sync worker (benchmark settings, the database named by
   CHARTS_BENCH_DATABASE_URL, 1,000 applications from seed_bulk); VmRSS from /proc/<pid>/status
   after a trivial request, after GET /informes/ (the page: tables and <img> tags, no chart
   drawn), and after the 13 chart SVGs it links to;
4. each renderer alone: a fresh interpreter loads the 13 charts (their data, as JSON), then
   imports its library and draws them all; VmRSS and time against the same process before
   the import. ``--pygal-python`` is the interpreter of a scratch virtualenv with pygal
   (``python3 -m venv /tmp/pygal-venv && /tmp/pygal-venv/bin/pip install pygal``): pygal is
   never installed in the project's environment.

The database (created and seeded when missing):
    CHARTS_BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/retorno_charts_bench
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get("CHARTS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_charts_bench")


def vm(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


# --- 4. one renderer in a fresh interpreter (also run by the scratch virtualenv's python) ------


def matplotlib_renderer():
    # The project's own drawing code (loans.charts imports matplotlib only when it draws).
    sys.path.insert(0, str(ROOT))
    from loans.charts import Chart, _draw

    return lambda charts: [_draw(Chart(**chart)) for chart in charts]


def pygal_renderer():
    return render_pygal


def render_pygal(charts: list[dict]) -> list[str]:
    # The same charts as pygal would draw them, as close to ours as its options allow: the
    # Okabe-Ito colours, horizontal or vertical bars, a legend when there are several series,
    # no JavaScript file (js=[]), no XML declaration (an SVG served on its own).
    import pygal
    from pygal.style import Style

    style = Style(colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"))
    drawn = []
    for chart in charts:
        kind = pygal.HorizontalBar if chart["kind"] == "barh" else pygal.Bar
        figure = kind(
            js=[],
            style=style,
            title=chart["title"],
            show_legend=len(chart["series"]) > 1,
            disable_xml_declaration=True,
        )
        figure.x_labels = chart["categories"]
        for label, values in chart["series"]:
            figure.add(label, [value or 0 for value in values])
        drawn.append(figure.render(is_unicode=True))
    return drawn


def renderer_child(name: str, data_path: str) -> None:
    charts = json.loads(Path(data_path).read_text())
    draw = {"matplotlib": matplotlib_renderer, "pygal": pygal_renderer}[name]()
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
                "peak_kb": after["VmHWM"],
                "seconds": seconds,
                "charts": len(drawn),
                "bytes": len(svg),
                "scripts": len(re.findall(r"<script", svg)),
                "style_elements": len(re.findall(r"<style", svg)),
                "style_attributes": len(re.findall(r"\sstyle=", svg)),
            }
        )
    )


# --- 1. installed size -----------------------------------------------------------------------


def installed_sizes() -> None:
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}

    def closure(roots: list[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen or name not in dists:
                continue
            seen.add(name)
            for text in dists[name].requires or []:
                requirement = Requirement(text)
                if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                    stack.append(norm(requirement.name))
        return seen

    def size(name: str) -> int:
        total = 0
        for file in dists[name].files or []:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
        return total

    lines = (ROOT / "requirements.in").read_text().splitlines()
    top = [norm(Requirement(line).name) for line in lines if line.strip() and not line.startswith("#")]
    everything = closure(top)
    with_matplotlib = closure(["matplotlib"])
    only_matplotlib = with_matplotlib - closure([name for name in top if name != "matplotlib"])
    mb = 1024 * 1024
    total = sum(size(name) for name in everything)
    own = sum(size(name) for name in only_matplotlib)
    print(f"1. installed: runtime dependencies {total / mb:.1f} MiB ({len(everything)} distributions)")
    print(f"   matplotlib and what only it brings: {own / mb:.1f} MiB = {own / total:.2f} of the runtime")
    for name in sorted(only_matplotlib, key=size, reverse=True):
        print(f"     {name:16} {size(name) / mb:6.1f} MiB")
    shared = sorted(with_matplotlib - only_matplotlib)
    print(f"   also used by others, kept either way: {', '.join(shared)}")


# --- 2. import time ----------------------------------------------------------------------------

IMPORT_CHILD = """
import os, sys, time, json
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
started = time.perf_counter()
import django
django.setup()
setup = time.perf_counter() - started
started = time.perf_counter()
os.environ.setdefault("MPLCONFIGDIR", os.path.join({tmp!r}, "matplotlib-retorno"))
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
charts = time.perf_counter() - started
print(json.dumps({{"setup": setup, "charts": charts}}))
"""


def import_times(runs: int) -> None:
    from statistics import median

    code = IMPORT_CHILD.format(root=str(ROOT), tmp=tempfile.gettempdir())
    setups, charts = [], []
    for _ in range(runs):
        out = json.loads(subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout)
        setups.append(out["setup"])
        charts.append(out["charts"])
    importtime = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import matplotlib.figure"], capture_output=True, text=True, check=True
    ).stderr
    modules = sum(1 for line in importtime.splitlines() if line.startswith("import time:")) - 1
    print(
        f"2. import: django.setup() median {median(setups) * 1000:.0f} ms; then matplotlib + Agg + Figure "
        f"median {median(charts) * 1000:.0f} ms = {median(charts) / median(setups):.2f} x django.setup() "
        f"({modules} modules; runs {', '.join(f'{s * 1000:.0f}' for s in charts)} ms)"
    )


# --- 3. web worker memory --------------------------------------------------------------------


def prepare_database() -> None:
    from harness import ensure_database, manage

    if ensure_database(DATABASE_URL):
        manage("migrate", "--noinput", database_url=DATABASE_URL)
        manage("seed_bulk", "--applications", "1000", database_url=DATABASE_URL)


def worker_memory(runs: int) -> list[dict]:
    from statistics import median

    from harness import gunicorn, request, setup_django, staff_session

    setup_django(DATABASE_URL)
    from django.urls import reverse

    from loans.report_charts import all_charts
    from loans.report_filters import ReportFilters
    from loans.reports import build_report

    session = staff_session("charts-bench@example.co", ["loans.view_reports"])
    charts = all_charts(build_report(ReportFilters()))
    page = reverse("loans:reports")
    svgs = [reverse("loans:report_chart", args=[chart.name]) for chart in charts]
    figures: dict[str, list[int]] = {"trivial": [], "page": [], "charts": [], "peak": []}
    for _ in range(runs):
        with gunicorn(DATABASE_URL, workers=1) as server:
            (pid,) = server.worker_pids()
            assert request(server.port, "GET", "/bench/trivial/", session)[0] == 200
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
        f"3. gunicorn worker VmRSS (median of {runs} fresh workers): "
        f"after a trivial request {trivial / 1024:.1f} MiB; after /informes/ {page_kb / 1024:.1f} MiB; "
        f"after its {len(svgs)} charts {charts_kb / 1024:.1f} MiB "
        f"(peak {median(figures['peak']) / 1024:.1f} MiB) = {charts_kb / page_kb:.2f} x the page alone"
    )
    return [
        {"name": c.name, "title": c.title, "categories": c.categories, "series": c.series, "unit": c.unit}
        | {"columns": c.columns, "kind": c.kind}
        for c in charts
    ]


def renderers(charts: list[dict], runs: int, pygal_python: str | None) -> None:
    from statistics import median

    data = Path(tempfile.mkdtemp()) / "charts.json"
    data.write_text(json.dumps(charts, default=float))
    pythons = {"matplotlib": PYTHON}
    if pygal_python:
        pythons["pygal"] = pygal_python
    print(f"4. one interpreter, {len(charts)} charts (median of {runs}; MiB above the process before the import):")
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
        base = median(r["before_kb"] / 1024 for r in results)
        last = results[-1]
        print(
            f"   {name:10} +{grown:.1f} MiB (process before: {base:.1f} MiB), "
            f"{median(r['seconds'] for r in results):.2f} s to import and draw, "
            f"{last['bytes'] / 1024:.0f} KiB of SVG, "
            f"<script> {last['scripts']}, <style> {last['style_elements']}, style= {last['style_attributes']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pygal-python")
    parser.add_argument("--render", nargs=2, metavar=("RENDERER", "DATA"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.render:
        renderer_child(*options.render)
        return
    sys.path.insert(0, str(HERE))
    from harness import machine

    print(machine())
    installed_sizes()
    import_times(options.runs)
    prepare_database()
    charts = worker_memory(options.runs)
    renderers(charts, options.runs, options.pygal_python)


if __name__ == "__main__":
    main()
