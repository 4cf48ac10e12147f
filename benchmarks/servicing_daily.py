"""The daily servicing job over every open loan, against one bare UPDATE of the same rows.

    .venv/bin/python benchmarks/servicing_daily.py [--applications 100000] [--runs 5]

In its own database (SERVICING_BENCH_DATABASE_URL, default .../retorno_money_bench: created,
migrated and loaded with ``manage.py seed_bulk --applications N`` when empty). seed_bulk's loans
carry no offer, so this script gives each one (set-based) an offer of its product with a 20 %
E.A. default rate, and a usury cap, so the job computes default interest on every overdue
instalment rather than skipping it.

Each run, interleaved: reset the servicing columns and run the job for the day before (untimed:
the state the scheduler leaves yesterday), time ``daily.loans_refresh`` for the day (the
aggregates of the instalments into a temporary table, the summaries told of the loans that
cross PAR30 that day, one UPDATE ... FROM), then time a bare
``UPDATE loans_loan SET days_in_arrears = days_in_arrears WHERE state IN ('active', 'in_arrears')``
over the same loans. Ratio = bare time / job time (goal >= 0.3). Medians of ``--runs``.

With ``--whole`` each run also times the whole daily job as the scheduler runs it,
``repayments.loans_daily`` (the state's instalments, then the refresh inside
``portal.changes.tracking`` over every open loan's application, which keeps the report and
statistics cells current in the same transaction), reset and settled the same way before it.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from harness import ensure_database, machine, manage, median, setup_django

DATABASE_URL = os.environ.get("SERVICING_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_money_bench")
AS_OF = date(2026, 11, 30)
YESTERDAY = date(2026, 11, 29)
RESET = """
UPDATE loans_loan SET default_interest_due = 0, default_interest_charged = 0, default_accrued_through = NULL,
       days_in_arrears = 0, arrears_amount = 0
 WHERE state IN ('active', 'in_arrears')
"""
BARE = "UPDATE loans_loan SET days_in_arrears = days_in_arrears WHERE state IN ('active', 'in_arrears')"


def prepare(applications: int) -> None:
    created = ensure_database(DATABASE_URL)
    if created:
        manage("migrate", "--noinput", database_url=DATABASE_URL)
    setup_django(DATABASE_URL)
    from django.db import connection

    from loans.models import Loan

    if not Loan.objects.exists():
        print(manage("seed_bulk", "--applications", str(applications), database_url=DATABASE_URL))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO loans_usurycap (credit_category, rate_pct, valid_from, valid_to)
            SELECT DISTINCT p.credit_category, 40, DATE '2020-01-01', DATE '2030-12-31'
              FROM loans_loanproduct p
             WHERE NOT EXISTS (SELECT 1 FROM loans_usurycap c WHERE c.credit_category = p.credit_category)
            """
        )
        cursor.execute(
            """
            INSERT INTO loans_loanoffer (product_id, kind, amount, term_months, grace_months, annual_rate_pct,
                   credit_category, min_amount, max_amount, max_financing_pct, min_term_months, max_term_months,
                   max_grace_months, grace_mode, state_pays_every, on_time_rebate_pct, guarantee_coverage_pct,
                   guarantee_fee_pct, default_rate_pct, offered_on, created_at)
            SELECT p.id, 'submission', 10000000, 24, 0, p.annual_rate_pct, p.credit_category, 1, 100000000,
                   p.max_financing_pct, p.min_term_months, p.max_term_months, p.max_grace_months, p.grace_mode,
                   p.state_pays_every, p.on_time_rebate_pct, p.guarantee_coverage_pct, 0, 20, DATE '2026-01-01', now()
              FROM loans_loanproduct p
             WHERE NOT EXISTS (SELECT 1 FROM loans_loanoffer o WHERE o.product_id = p.id AND o.default_rate_pct = 20)
            """
        )
        cursor.execute(
            """
            UPDATE loans_loan l SET offer_id = o.id
              FROM loans_loanapplication a, loans_loanoffer o
             WHERE a.id = l.application_id AND o.product_id = a.product_id AND o.default_rate_pct = 20
               AND l.offer_id IS NULL
            """
        )
        cursor.execute("ANALYZE loans_loan; ANALYZE loans_loaninstalment; ANALYZE loans_loanoffer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--whole", action="store_true", help="also time repayments.loans_daily (with the summaries)")
    options = parser.parse_args()
    prepare(options.applications)
    from django.db import connection, transaction

    from loans.reports import summaries
    from loans.servicing import daily, repayments

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM loans_loan WHERE state IN ('active', 'in_arrears')")
        open_loans = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM loans_loaninstalment i JOIN loans_loan l ON l.id = i.loan_id "
            "WHERE l.state IN ('active', 'in_arrears')"
        )
        instalments = cursor.fetchone()[0]
    print(machine())
    print(f"{open_loans:,} open loans, {instalments:,} instalments; as of {AS_OF}")
    jobs, bares, wholes = [], [], []
    for run in range(options.runs):
        if options.whole:
            with connection.cursor() as cursor:
                cursor.execute(RESET)
            daily.loans_refresh(as_of=YESTERDAY)
            start = time.perf_counter()
            repayments.loans_daily(today=AS_OF)
            wholes.append(time.perf_counter() - start)
        with connection.cursor() as cursor:
            cursor.execute(RESET)
        daily.loans_refresh(as_of=YESTERDAY)
        start = time.perf_counter()
        updated = daily.loans_refresh(as_of=AS_OF)
        jobs.append(time.perf_counter() - start)
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(BARE)
            bare_rows = cursor.rowcount
            bares.append(time.perf_counter() - start)
        assert updated == bare_rows == open_loans, (updated, bare_rows, open_loans)
        whole = f", whole daily job {wholes[-1]:.2f} s (ratio {bares[-1] / wholes[-1]:.2f})" if wholes else ""
        print(
            f"run {run + 1}: job {jobs[-1]:.2f} s, bare UPDATE {bares[-1]:.2f} s, "
            f"ratio {bares[-1] / jobs[-1]:.2f}{whole}"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(default_interest_due) FROM loans_loan WHERE default_interest_due > 0")
        charged, total = cursor.fetchone()
    ratios = [b / j for b, j in zip(bares, jobs, strict=True)]
    print(f"loans charged default interest: {charged:,} (COP {total or 0:,})")
    print(
        f"median job {median(jobs):.2f} s, median bare {median(bares):.2f} s, "
        f"ratio of medians {median(bares) / median(jobs):.2f}, median of per-run ratios {median(ratios):.2f}"
    )
    # The resets above wrote loans' arrears past the summaries (raw SQL, no tracking): recount them,
    # so the database's report figures are right for whoever measures on it next.
    start = time.perf_counter()
    check = summaries.rebuild()
    print(f"summaries recounted after the resets in {time.perf_counter() - start:.0f} s ({check})")
    if wholes:
        whole_ratios = [b / w for b, w in zip(bares, wholes, strict=True)]
        print(
            f"whole daily job (loans_daily, summaries kept current): median {median(wholes):.2f} s, "
            f"ratio of medians {median(bares) / median(wholes):.2f}, "
            f"median of per-run ratios {median(whole_ratios):.2f}"
        )


if __name__ == "__main__":
    main()
