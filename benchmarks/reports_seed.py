"""``seed_bulk`` rows/s against a bare COPY of the same rows (docs/BENCHMARKS.md, "Bulk load").

    .venv/bin/python benchmarks/reports_seed.py [--applications 100000] [--runs 5]

In its own database (REPORTS_SEED_DATABASE_URL, default .../retorno_reports_seed, created and
migrated here). Each run empties the seven tables seed_bulk fills, runs ``manage.py seed_bulk``
(timed inside the command: generation, COPY, sequences and ANALYZE), then saves what it loaded
with ``COPY ... TO`` files, empties the tables again and times a bare ``COPY ... FROM`` of
those files into the same tables (same indexes and foreign keys) plus ANALYZE. The ratio is
seed_bulk's rows/s over the bare COPY's; goal >= 0.5. Each figure is the median of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from harness import ROOT, ensure_database, machine, manage, median

SEED_DATABASE_URL = os.environ.get(
    "REPORTS_SEED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_reports_seed"
)
TABLES = [
    "applicants_user",
    "applicants_returneeprofile",
    "loans_loanapplication",
    "loans_loan",
    "loans_loaninstalment",
    "loans_repayment",
    "loans_followupvisit",
]


# The staff user seed_bulk records as approver stays between runs; only the bulk rows move.
BULK_ONLY = {"applicants_user": "email LIKE 'retornado%%@bulk.example'"}


def connect():
    from urllib.parse import urlsplit

    import psycopg2

    url = urlsplit(SEED_DATABASE_URL)
    return psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname=url.path[1:]
    )


def empty(cursor) -> None:
    # Bulk rows only: the staff user and the product the command creates stay.
    cursor.execute("DELETE FROM loans_followupvisit; DELETE FROM loans_repayment; DELETE FROM loans_loaninstalment")
    cursor.execute("DELETE FROM loans_loan; DELETE FROM loans_loanapplication; DELETE FROM applicants_returneeprofile")
    cursor.execute("DELETE FROM applicants_user WHERE email LIKE 'retornado%%@bulk.example'")
    cursor.execute("DELETE FROM loans_referencecounter")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    print(machine())
    if ensure_database(SEED_DATABASE_URL):
        manage("migrate", "-v0", database_url=SEED_DATABASE_URL)
    seed_rates, bare_rates = [], []
    connection = connect()
    connection.autocommit = True
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as scratch:
        for run in range(options.runs):
            with connection.cursor() as cursor:
                empty(cursor)
                cursor.execute("VACUUM ANALYZE")
            output = manage(
                "seed_bulk",
                f"--applications={options.applications}",
                f"--seed={run + 1}",
                database_url=SEED_DATABASE_URL,
            )
            rows, seconds = re.search(r"([\d,]+) rows in ([\d.]+) s", output).groups()
            rows, seconds = int(rows.replace(",", "")), float(seconds)
            seed_rates.append(rows / seconds)
            files = {table: Path(scratch) / f"{table}.copy" for table in TABLES}
            with connection.cursor() as cursor:
                for table, path in files.items():
                    rows_of_the_run = f"(SELECT * FROM {table} WHERE {BULK_ONLY.get(table, 'true')})"  # noqa: S608
                    with path.open("wb") as out:
                        cursor.copy_expert(f"COPY {rows_of_the_run} TO STDOUT", out)
                empty(cursor)
                cursor.execute("VACUUM ANALYZE")
            connection.autocommit = False
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for table, path in files.items():
                    with path.open("rb") as source:
                        cursor.copy_expert(f"COPY {table} FROM STDIN", source, size=4 * 1024 * 1024)
                cursor.execute("ANALYZE")
            connection.commit()
            bare = time.perf_counter() - started
            connection.autocommit = True
            bare_rates.append(rows / bare)
            print(f"  run {run + 1}: seed_bulk {rows:,} rows in {seconds:.1f} s; bare COPY in {bare:.1f} s")
    seed, bare = median(seed_rates), median(bare_rates)
    print(f"seed_bulk {seed:,.0f} rows/s; bare COPY {bare:,.0f} rows/s; ratio {seed / bare:.2f} (goal >= 0.5)")


if __name__ == "__main__":
    main()
