"""How long the analysts' report takes to compute at 1,000,000 applications, uncached, and how
long its charts take to draw (docs/BENCHMARKS.md, "Reports page"). No goal: for information.

    .venv/bin/python benchmarks/reports_page.py [--runs 5]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from harness import machine, median, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loans.reports.charts import all_charts
    from loans.reports.drawing import draw
    from loans.reports.figures import build_report
    from loans.reports.filters import ReportFilters

    print(machine())
    for filters in (
        ReportFilters(),
        ReportFilters(department="05"),
        ReportFilters(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)),
        ReportFilters(sex="F", age_band="25-34"),
    ):
        seconds = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = build_report(filters)
                seconds.append(time.perf_counter() - started)
        print(
            f"{filters.as_dict() or 'no filters'}: {report.total.started:,} applications, {len(queries)} queries, "
            f"median {median(seconds):.1f} s (runs {', '.join(f'{s:.1f}' for s in seconds)})"
        )
    started = time.perf_counter()
    drawn = [draw(chart) for chart in all_charts(report)]
    print(f"{len(drawn)} charts drawn in {time.perf_counter() - started:.1f} s (cached afterwards)")


if __name__ == "__main__":
    main()
