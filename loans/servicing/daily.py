"""The daily servicing run over every open loan, as one set-based SQL statement.

For a day ``as_of`` (today, or any day replayed from the management command) it adds default
interest on overdue principal since each loan's last accrual, and sets days and amount in
arrears and the loan's state. The formula is the ledger's (``ledger.default_interest``):
``round(principal * ((1 + rate) ** (days / 365) - 1))`` per overdue instalment, the rate being
the offer's default rate capped by the usury cap in force on ``as_of``. Arrears count only
instalments past their due date with something owed; the state's instalments are the state's.

On PostgreSQL this is one UPDATE ... FROM over aggregates (see docs/BENCHMARKS.md); other
databases (SQLite in quick local runs) use the ledger loan by loan, with the same results.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from loans.servicing import ledger
from loans.servicing.models import Loan

OPEN_STATES = (Loan.State.ACTIVE, Loan.State.IN_ARREARS)

REFRESH_SQL = """
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
),
new AS (
    SELECT r.loan_id,
           COALESCE(i.added, 0)::bigint AS added,
           i.oldest,
           COALESCE(i.owed, 0)::bigint AS owed,
           GREATEST(r.accrued_through, %(as_of)s) AS accrued_through
      FROM rate r LEFT JOIN instalment i ON i.loan_id = r.loan_id
)
UPDATE loans_loan l
   SET default_interest_due = l.default_interest_due + n.added,
       default_interest_charged = l.default_interest_charged + n.added,
       default_accrued_through = n.accrued_through,
       days_in_arrears = COALESCE(%(as_of)s::date - n.oldest, 0),
       arrears_amount = n.owed + l.default_interest_due + n.added,
       state = CASE WHEN n.oldest IS NULL THEN 'active' ELSE 'in_arrears' END
  FROM new n
 WHERE l.id = n.loan_id
"""


def loans_refresh(*, as_of: date) -> int:
    """Default interest, arrears and state of every open loan as of ``as_of``; returns how many loans."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL, {"as_of": as_of})
            return cursor.rowcount
    count = 0
    for pk in Loan.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True):
        with transaction.atomic():
            loan = Loan.objects.select_for_update(of=("self",)).select_related("offer").get(pk=pk)
            rows = ledger.loan_rows(loan, lock=True)
            ledger.accrue_default_interest(loan, rows, as_of)
            ledger.refresh_state(loan, rows, as_of)
            loan.save(update_fields=ledger.LOAN_LEDGER_FIELDS)
        count += 1
    return count
