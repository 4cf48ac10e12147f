"""Exports at scale, over HTTP through gunicorn (docs/BENCHMARKS.md, "Exports").

    .venv/bin/python benchmarks/reports_export.py [--runs 5] [--skip-memory] [--skip-xlsx]

Needs the 1M database (REPORTS_BENCH_DATABASE_URL; ``manage.py seed_bulk --applications 1000000``).
Each figure is the median of ``--runs`` runs, measured in this run:

1. CSV rows/s: POST /informes/exportar/ (every application, 1M rows, no personal data) read to
   the end by an HTTP client, against ``COPY (the same SELECT) TO STDOUT WITH CSV`` into a sink
   on a direct connection. Goal: ratio >= 0.5. The same for the export *with* personal data,
   which must decrypt in Python (server-side cursor + csv module), for information.
2. Peak memory: the gunicorn worker's VmHWM after one export of ~1M rows against one of
   ~100k rows (fresh worker each time, warmed by a small export first). Goal: ratio <= 1.2.
3. XLSX rows/s against CSV rows/s, both over HTTP on the same ~100k applications. Goal >= 0.2.
"""

from __future__ import annotations

import argparse

from harness import BIG_DATABASE_URL, gunicorn, machine, median, request, setup_django, staff_session

URL = "/informes/exportar/"


def copy_reference(kind: str, filters) -> tuple[int, float]:
    import time

    from django.db import connection

    from loans.reports import exports

    class Sink:
        rows = 0

        def write(self, data):
            self.rows += data.count(b"\n")

    sql = f"COPY ({exports.copy_select(kind, filters)}) TO STDOUT WITH (FORMAT csv)"
    sink = Sink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, sink, size=1024 * 1024)
    return sink.rows, time.perf_counter() - started


def post_export(server, session, **form) -> tuple[int, float, int]:
    status, size, lines, seconds = request(server.port, "POST", URL, session, form)
    assert status == 200, status
    return lines - 1, seconds, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--xlsx-all", action="store_true", help="XLSX vs CSV on every application, not ~10 %%")
    parser.add_argument("--memory-xlsx", action="store_true", help="peak memory of the XLSX export too")
    options = parser.parse_args()
    setup_django(BIG_DATABASE_URL)

    from datetime import timedelta

    from django.utils import timezone

    from loans.models import LoanApplication
    from loans.reports import exports
    from loans.reports.filters import ReportFilters

    print(machine())
    session = staff_session(
        "bench-analyst@bulk.example", ["loans.view_reports", "loans.export_reports", "loans.view_pii"]
    )
    total = LoanApplication.objects.count()
    tenth = LoanApplication.objects.order_by("-created_at").values_list("created_at", flat=True)[total // 10 - 1]
    since = timezone.localtime(tenth).date() + timedelta(days=1)
    tenth_filters = {"date_from": since.isoformat()}
    tenth_rows = exports.count("applications", ReportFilters(date_from=since))
    small = {"department": "94", "status": "submitted"}  # a few rows: warms a fresh worker up
    print(f"applications: {total:,}; the ~10 % subset (started from {since}) has {tenth_rows:,}")

    # 1. CSV throughput.
    with gunicorn() as server:
        post_export(server, session, kind="applications", format="csv", **small)
        http_rates, copy_rates, pii_rates = [], [], []
        for run in range(options.runs):
            rows, seconds, size = post_export(server, session, kind="applications", format="csv")
            http_rates.append(rows / seconds)
            copy_rows, copy_seconds = copy_reference("applications", ReportFilters())
            copy_rates.append(copy_rows / copy_seconds)
            print(
                f"  run {run + 1}: HTTP {rows:,} rows ({size / 1e6:.0f} MB) in {seconds:.1f} s; "
                f"COPY {copy_rows:,} rows in {copy_seconds:.1f} s"
            )
        for run in range(options.runs):
            rows, seconds, _size = post_export(server, session, kind="applications", format="csv", include_pii="on")
            pii_rates.append(rows / seconds)
            print(f"  run {run + 1}: with personal data (Python path) {rows:,} rows in {seconds:.1f} s")
    http, copy, pii = median(http_rates), median(copy_rates), median(pii_rates)
    print(f"CSV over HTTP {http:,.0f} rows/s; COPY {copy:,.0f} rows/s; ratio {http / copy:.2f} (goal >= 0.5)")
    print(f"CSV with personal data (Python path) {pii:,.0f} rows/s; ratio to COPY {pii / copy:.2f}")

    # 2. Peak memory.
    if not options.skip_memory:
        paths = [("COPY path", {}), ("Python path (personal data)", {"include_pii": "on"})]
        if options.memory_xlsx:
            paths += [
                ("XLSX, COPY path", {"format": "xlsx"}),
                ("XLSX, Python path", {"format": "xlsx", "include_pii": "on"}),
            ]
        for label, extra in paths:
            peaks = {"10%": [], "all": []}
            for run in range(options.runs):
                for size, filters in (("10%", tenth_filters), ("all", {})):
                    with gunicorn() as server:
                        post_export(server, session, **{"kind": "applications", "format": "csv", **small, **extra})
                        warm = server.peak_rss_kb()
                        rows, seconds, _size = post_export(
                            server, session, **{"kind": "applications", "format": "csv", **filters, **extra}
                        )
                        peaks[size].append(server.peak_rss_kb())
                        print(
                            f"  {label}, run {run + 1}, {rows:,} rows: peak {peaks[size][-1] / 1024:.0f} MB "
                            f"(after warm-up {warm / 1024:.0f} MB)"
                        )
            big, tenth_peak = median(peaks["all"]), median(peaks["10%"])
            print(
                f"Peak memory, {label}: {big / 1024:.0f} MB at {total:,} rows, {tenth_peak / 1024:.0f} MB at "
                f"{tenth_rows:,} rows; ratio {big / tenth_peak:.2f} (goal <= 1.2)"
            )

    # 3. XLSX against CSV on the same rows.
    if not options.skip_xlsx:
        if options.xlsx_all:
            tenth_filters, tenth_rows = {}, total
        with gunicorn() as server:
            post_export(server, session, kind="applications", format="xlsx", **small)
            xlsx_rates, csv_rates = [], []
            for run in range(options.runs):
                _rows, seconds, size = post_export(
                    server, session, kind="applications", format="xlsx", **tenth_filters
                )
                xlsx_rates.append(tenth_rows / seconds)
                rows, csv_seconds, _size = post_export(
                    server, session, kind="applications", format="csv", **tenth_filters
                )
                csv_rates.append(rows / csv_seconds)
                print(
                    f"  run {run + 1}: XLSX {tenth_rows:,} rows ({size / 1e6:.0f} MB) in {seconds:.1f} s; "
                    f"CSV in {csv_seconds:.2f} s"
                )
        xlsx, csv_rate = median(xlsx_rates), median(csv_rates)
        print(f"XLSX {xlsx:,.0f} rows/s; CSV {csv_rate:,.0f} rows/s; ratio {xlsx / csv_rate:.2f} (goal >= 0.2)")
        print(f"XLSX against the Python CSV path measured above: {xlsx / pii:.2f}")


if __name__ == "__main__":
    main()
