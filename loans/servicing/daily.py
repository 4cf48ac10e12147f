"""The daily servicing run over every open loan, as one set-based SQL statement.

For a day ``as_of`` (today, or any day replayed from the management command) it adds default
interest on overdue principal since each loan's last accrual, and sets days and amount in
arrears and the loan's state. The formula is the ledger's (``ledger.default_interest``):
``round(principal * ((1 + rate) ** (days / 365) - 1))`` per overdue instalment, the rate being
the offer's default rate capped by the usury cap in force on ``as_of``. Arrears count only
instalments past their due date with something owed; the state's instalments are the state's.

On PostgreSQL the new figures of every open loan are computed once, set-based, into a temporary
table, and one UPDATE ... FROM writes them (see docs/BENCHMARKS.md); other databases (SQLite in
quick local runs) use the ledger loan by loan, with the same results.

The report cells (``loans.reports.summaries``) read two things of an open loan that this job
changes: nothing of its instalments, and whether it is more than ``PAR_DAYS`` in arrears. So the
job asks the summaries to watch only the loans that cross that line today (a few hundred at a
million applications), not every open loan; if a summary ever reads another column written
here, widen ``CROSSING_SQL``. ``tests/reports/test_summaries.py`` replays the job at random days
and compares the running totals with a full recount.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from loans.servicing import ledger
from loans.servicing.models import Loan
from portal import changes

OPEN_STATES = (Loan.State.ACTIVE, Loan.State.IN_ARREARS)
# Portfolio at risk: a loan more than this many days in arrears (docs/DOMAIN.md, reports' PAR30).
PAR_DAYS = 30

COMPUTE_SQL = """
CREATE TEMPORARY TABLE servicing_refresh ON COMMIT DROP AS
WITH rate AS (
    SELECT l.id AS loan_id,
           COALESCE(LEAST(o.default_rate_pct, COALESCE(c.rate_pct, o.default_rate_pct)), 0) / 100 AS rate,
           COALESCE(l.default_accrued_through, l.disbursed_on) AS accrued_through
      FROM loans_loan l
      LEFT JOIN loans_loanoffer o ON o.id = l.offer_id
      LEFT JOIN loans_usurycap c
             ON c.credit_category = o.credit_category AND c.valid_from <= %(as_of)s AND c.valid_to >= %(as_of)s
     WHERE l.state IN ('active', 'in_arrears')
),
instalment AS (
    SELECT i.loan_id,
           SUM(CASE WHEN r.rate > 0 AND i.principal > i.paid_principal
                         AND i.due_date < %(as_of)s AND r.accrued_through < %(as_of)s
                    THEN ROUND((i.principal - i.paid_principal)::numeric
                               * (EXP(LN(1 + r.rate) * (%(as_of)s::date - GREATEST(i.due_date, r.accrued_through))
                                      / 365.0) - 1))
                    ELSE 0 END) AS added,
           MIN(i.due_date) FILTER (WHERE i.payment > i.paid_interest + i.paid_principal) AS oldest,
           SUM(i.payment - i.paid_interest - i.paid_principal) AS owed
      FROM loans_loaninstalment i
      JOIN rate r ON r.loan_id = i.loan_id
     WHERE i.paid_on IS NULL AND NOT i.state_paid AND i.due_date < %(as_of)s
     GROUP BY i.loan_id
)
SELECT r.loan_id,
       COALESCE(i.added, 0)::bigint AS added,
       COALESCE(%(as_of)s::date - i.oldest, 0) AS days,
       COALESCE(i.owed, 0)::bigint AS owed,
       GREATEST(r.accrued_through, %(as_of)s) AS accrued_through
  FROM rate r LEFT JOIN instalment i ON i.loan_id = r.loan_id
"""

# The loans whose portfolio-at-risk side changes today: the only change the summaries count.
CROSSING_SQL = """
SELECT l.application_id
  FROM loans_loan l JOIN servicing_refresh n ON n.loan_id = l.id
 WHERE (l.days_in_arrears > %(par_days)s) <> (n.days > %(par_days)s)
"""

UPDATE_SQL = """
UPDATE loans_loan l
   SET default_interest_due = l.default_interest_due + n.added,
       default_interest_charged = l.default_interest_charged + n.added,
       default_accrued_through = n.accrued_through,
       days_in_arrears = n.days,
       arrears_amount = n.owed + l.default_interest_due + n.added,
       state = CASE WHEN n.days > 0 THEN 'in_arrears' ELSE 'active' END
  FROM servicing_refresh n
 WHERE l.id = n.loan_id
"""


def loans_refresh(*, as_of: date) -> int:
    """Default interest, arrears and state of every open loan as of ``as_of``; returns how many loans."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # Dropped at once, not only on commit: a caller's outer transaction may run the job twice.
            cursor.execute("DROP TABLE IF EXISTS servicing_refresh")
            cursor.execute(COMPUTE_SQL, {"as_of": as_of})
            cursor.execute(CROSSING_SQL, {"par_days": PAR_DAYS})
            crossing = [row[0] for row in cursor.fetchall()]
            with changes.tracking(applications=crossing):
                cursor.execute(UPDATE_SQL)
                updated = cursor.rowcount
            cursor.execute("DROP TABLE servicing_refresh")
            return updated
    count = 0
    open_loans = Loan.objects.filter(state__in=OPEN_STATES)
    # Loan by loan (SQLite): the summaries watch every open loan, as the set is small there.
    with changes.tracking(applications=list(open_loans.values_list("application_id", flat=True))):
        for pk in open_loans.values_list("pk", flat=True):
            count += _refresh_one(pk, as_of)
    return count


def _refresh_one(pk: int, as_of: date) -> int:
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self",)).select_related("offer").get(pk=pk)
        rows = ledger.loan_rows(loan, lock=True)
        ledger.accrue_default_interest(loan, rows, as_of)
        ledger.refresh_state(loan, rows, as_of)
        loan.save(update_fields=ledger.LOAN_LEDGER_FIELDS)
    return 1
