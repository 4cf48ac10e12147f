"""The report and the open statistics from the summary cells, at two sizes, side by side
(docs/BENCHMARKS.md, "Figures already counted").

    .venv/bin/python benchmarks/reports_summaries.py [--runs 5] [--only "department,week"]

REPORTS_BENCH_SMALL_DATABASE_URL (1,000 applications) and REPORTS_BENCH_DATABASE_URL (100,000 or
1,000,000), both loaded by ``seed_bulk`` (which leaves the summaries current). Each run times, on
each database in turn (alternating), what a visitor's request computes:

- ``/estadisticas/``: ``summaries.public_statistics()`` (the cells, suppressed);
- ``/informes/`` without filters and with filters the cells answer: ``summaries.report_from_cells()``
  (what the first visitor after a change computes; without filters it reads the per-department and
  per-sector totals, and the same report read from the cells is timed beside it) and
  ``report_for()`` for the next one (cached);
- filters the cells cannot answer (the live query, "computed live"), uncached;
- for reference, the full recounts a visitor used to wait for when the hourly cache expired
  (``statistics.compute()``, ``figures.build_report()``) and the nightly ``rebuild()``.

Each figure is the median of ``--runs``; the ratio is big ÷ small (goal for the pages: ≤ 3).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from harness import BIG_DATABASE_URL, PYTHON, SMALL_DATABASE_URL, machine, median

CASES = {
    "statistics page (cells)": ("stats", {}),
    "report, no filters (totals: the first visitor after a change)": ("report", {}),
    "report, no filters read from the cells (before the totals)": ("report", {"date_from": "2012-01-01"}),
    "report, no filters (cells, cached: the next visitor)": ("report-cached", {}),
    "report, department 05 (parts)": ("report", {"department": "05"}),
    "report, sector G (parts)": ("report", {"sector": "G"}),
    "report, department 05 + sector G (parts)": ("report", {"department": "05", "sector": "G"}),
    "report, department 05 read from the cells (before the parts)": (
        "report",
        {"department": "05", "date_from": "2012-01-01"},
    ),
    "report, Q1 2026 + sector G (cells)": (
        "report",
        {"date_from": "2026-01-01", "date_to": "2026-03-31", "sector": "G"},
    ),
    "report, one week (live)": ("live", {"date_from": "2026-03-02", "date_to": "2026-03-08"}),
    "report, department 05 + in review (live)": ("live", {"department": "05", "status": "in_review"}),
    "report, women 25-34 (live)": ("live", {"sex": "F", "age_band": "25-34"}),
    "report, municipality 05001 (live)": ("live", {"department": "05", "municipality": "05001"}),
    "full recount: statistics (old page, cache expired)": ("old-stats", {}),
    "full recount: report, no filters (old page)": ("old-report", {}),
}


def measure_here(database_url: str, names: list[str]) -> dict[str, float]:
    """Runs inside a child process on one database: seconds per case, one try each."""
    from harness import setup_django

    setup_django(database_url)
    from loans.reports import statistics, summaries
    from loans.reports.figures import build_report
    from loans.reports.filters import ReportFilters

    def filters(raw: dict) -> ReportFilters:
        return ReportFilters(**{k: date.fromisoformat(v) if k.startswith("date") else v for k, v in raw.items()})

    actions = {
        "stats": lambda raw: summaries.public_statistics(),
        "report": lambda raw: summaries.report_from_cells(filters(raw)),  # the first visitor after a change
        "report-cached": lambda raw: summaries.report_for(filters(raw)),
        "live": lambda raw: build_report(filters(raw)),  # what report_for runs on a cache miss
        "old-stats": lambda raw: statistics.suppress(statistics.compute()),
        "old-report": lambda raw: build_report(filters(raw)),
    }
    summaries.public_statistics()  # connection and imports warm
    seconds = {}
    for name in names:
        kind, raw = CASES[name]
        if kind == "report":
            assert summaries.answers(filters(raw)), name
        if kind == "report-cached":
            summaries.report_for(filters(raw))
        if kind == "live":
            assert not summaries.answers(filters(raw)), name
        started = time.perf_counter()
        actions[kind](raw)
        seconds[name] = time.perf_counter() - started
    return seconds


def child(database_url: str, names: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [PYTHON, __file__, "--child", database_url, "--names", json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child")
    parser.add_argument("--names")
    parser.add_argument("--only", help="time only the cases whose name contains one of these (comma-separated)")
    parser.add_argument("--rebuild", action="store_true", help="also time the nightly recount at both sizes")
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure_here(options.child, json.loads(options.names))))
        return
    print(machine())
    names = list(CASES)
    if options.only:
        names = [name for name in names if any(part in name for part in options.only.split(","))]
    found = {"small": {n: [] for n in names}, "big": {n: [] for n in names}}
    for run in range(options.runs):
        for size, url in (("small", SMALL_DATABASE_URL), ("big", BIG_DATABASE_URL)):
            for name, seconds in child(url, names).items():
                found[size][name].append(seconds)
        print(f"  run {run + 1} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
    print(f"{'case':<52}{'small ms':>10}{'big ms':>10}{'big÷small':>11}")
    for name in names:
        small, big = median(found["small"][name]), median(found["big"][name])
        print(f"{name:<52}{small * 1000:>10.0f}{big * 1000:>10.0f}{big / small:>11.1f}")
    if options.rebuild:
        for size, url in (("small", SMALL_DATABASE_URL), ("big", BIG_DATABASE_URL)):
            script = "from harness import setup_django; import sys, time; setup_django(sys.argv[1]); "
            script += "from loans.reports import summaries; t = time.perf_counter(); c = summaries.rebuild(); "
            script += "print(f'{time.perf_counter() - t:.1f} s, {c.cells} cells, {c.differences} differences')"
            result = subprocess.run(
                [PYTHON, "-c", script, url], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
            )
            print(f"nightly recount, {size}: {result.stdout.strip()}")


if __name__ == "__main__":
    main()
