"""Worked examples, computed independently of the ledger.

The expected figures come from plain Decimal formulas written here, the way one would in a
spreadsheet: the monthly rate with Decimal's own fractional power ``(1 + EA) ** (1/12) - 1``
(the ledger uses exp/ln), each month's interest ``round(balance * r)``, the French instalment
``round(B * r / (1 - (1 + r) ** -n))``, default interest ``round(p * ((1 + EA_mora) ** (days/365) - 1))``.
Rounding is half up to the peso throughout. The literal numbers in comments were printed from
these formulas once and checked by hand against a spreadsheet's PMT() to the peso.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, getcontext

import pytest

from loans.choices import GraceMode, PrepaymentChoice
from loans.models import Loan, LoanInstalment, Repayment, ScheduleVersion
from loans.servicing import repayments
from tests.servicing.helpers import cap, make_loan

pytestmark = pytest.mark.django_db
getcontext().prec = 40


def peso(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def monthly(ea: str) -> Decimal:
    return (Decimal(1) + Decimal(ea)) ** (Decimal(1) / Decimal(12)) - 1


def pmt(balance: int, r: Decimal, n: int) -> int:
    return peso(Decimal(balance) * r / (1 - (1 + r) ** -n))


def rows(loan):
    return list(LoanInstalment.objects.filter(loan=loan).order_by("number"))


def pay(loan, day, amount, ref, **kwargs):
    repayment, _created = repayments.repayment_record(
        loan=loan, paid_on=day, amount=amount, bank_reference=ref, user=None, today=day, **kwargs
    )
    loan.refresh_from_db()
    return repayment


# --- 80 SMMLV, 22.68 % E.A., 36 months with 6 capitalised -----------------------------------


def test_the_80_smmlv_capitalised_grace_loan():
    cap()
    amount = 80 * 1_750_905  # 80 SMMLV of 2026 = 140,072,400
    loan = make_loan(amount=amount, term=36, grace=6, grace_mode=GraceMode.CAPITALISED, disbursed_on=date(2026, 1, 15))
    r = monthly("0.2268")
    balance = amount
    for _month in range(6):
        balance += peso(balance * r)
    level = pmt(balance, r, 30)
    interest_7 = peso(balance * r)

    schedule = rows(loan)
    grace = schedule[:6]
    assert [row.payment for row in grace] == [0] * 6  # nothing is due in a capitalised grace month
    assert [row.interest for row in grace] == [0] * 6
    assert sum(row.capitalised_interest for row in grace) == balance - amount
    assert (schedule[6].interest, schedule[6].payment) == (interest_7, level)
    assert sum(row.principal for row in schedule) == balance  # the capitalised interest is repaid as principal

    # Through the whole grace period nothing is overdue, with no payment at all.
    for day in (date(2026, 3, 1), date(2026, 7, 15), date(2026, 8, 14)):
        repayments.loan_refresh_state(loan, today=day)
        loan.refresh_from_db()
        assert (loan.days_in_arrears, loan.arrears_amount, loan.state) == (0, 0, Loan.State.ACTIVE)

    # Instalment 7 paid in full on its due date goes to its own interest and principal, not to the grace months.
    seventh = schedule[6]
    repayment = pay(loan, seventh.due_date, level, "P-7")
    assert (repayment.allocated_interest, repayment.allocated_principal, repayment.prepaid_principal) == (
        interest_7,
        level - interest_7,
        0,
    )
    seventh.refresh_from_db()
    assert seventh.paid_on == date(2026, 8, 15)
    assert (loan.days_in_arrears, loan.state) == (0, Loan.State.ACTIVE)


# --- a partial prepayment under both choices ---------------------------------------------------


def _prepaid_loan(choice):
    cap()
    loan = make_loan(amount=10_000_000, term=12, disbursed_on=date(2026, 1, 15))
    r = monthly("0.2268")
    level = pmt(10_000_000, r, 12)
    b = 10_000_000
    for _n in range(2):
        b -= level - peso(b * r)
    first, second = rows(loan)[:2]
    pay(loan, first.due_date, first.payment, "P-1")
    repayment = pay(loan, second.due_date, second.payment + 3_000_000, "P-2", prepayment_choice=choice)
    return loan, repayment, r, level, b - 3_000_000


def test_a_prepayment_that_lowers_the_instalment():
    loan, repayment, r, level, balance = _prepaid_loan(PrepaymentChoice.LOWER_INSTALMENT)
    assert (repayment.prepaid_principal, repayment.prepayment_choice) == (3_000_000, "lower_instalment")
    future = rows(loan)[2:]
    lower = pmt(balance, r, 10)
    assert len(future) == 10  # same term
    assert [row.payment for row in future[:-1]] == [lower] * 9
    assert lower < level
    assert future[0].interest == peso(balance * r)
    assert sum(row.principal for row in future) == balance
    assert loan.schedule_version == 2
    assert list(ScheduleVersion.objects.filter(loan=loan).values_list("number", "reason")) == [
        (1, "disbursement"),
        (2, "prepayment"),
    ]
    assert len(ScheduleVersion.objects.get(loan=loan, number=1).rows) == 12  # the first version is kept whole


def test_a_prepayment_that_shortens_the_term():
    loan, repayment, r, level, balance = _prepaid_loan(PrepaymentChoice.SHORTEN_TERM)
    n = next(n for n in range(1, 11) if pmt(balance, r, n) <= level)
    future = rows(loan)[2:]
    assert len(future) == n < 10
    assert [row.payment for row in future[:-1]] == [pmt(balance, r, n)] * (n - 1)
    assert sum(row.principal for row in future) == balance
    assert repayment.prepayment_choice == "shorten_term"


def test_a_prepayment_between_due_dates_owes_the_interest_of_the_days_run_only():
    cap()
    loan = make_loan(amount=10_000_000, term=12, disbursed_on=date(2026, 1, 15))
    r = monthly("0.2268")
    first = rows(loan)[0]
    pay(loan, first.due_date, first.payment, "P-1")
    balance = 10_000_000 - first.principal
    # 15 of the 28 days from 15 Feb to 15 Mar have run when 2,000,000 more is paid.
    pay(loan, date(2026, 3, 2), 2_000_000, "P-X", prepayment_choice=PrepaymentChoice.LOWER_INSTALMENT)
    second = rows(loan)[1]
    run = peso(Decimal(2_000_000) * r * Decimal(15) / Decimal(28))
    assert second.interest == peso((balance - 2_000_000) * r) + run
    assert second.interest < peso(balance * r)  # less than without the prepayment


# --- a payment 45 days late, with default interest -----------------------------------------------


def test_a_payment_45_days_late_pays_default_interest_first():
    cap("42.00")
    loan = make_loan(amount=10_000_000, term=12, disbursed_on=date(2026, 1, 15), default_rate="30")
    first, second = rows(loan)[:2]
    day = date(2026, 4, 1)  # instalment 1 (15 Feb) is 45 days late, instalment 2 (15 Mar) 17 days
    assert (day - first.due_date).days == 45
    mora = Decimal("1.30")
    default = peso(first.principal * (mora ** (Decimal(45) / 365) - 1)) + peso(
        second.principal * (mora ** (Decimal(17) / 365) - 1)
    )

    repayments.loan_refresh_state(loan, today=day)
    loan.refresh_from_db()
    assert (loan.days_in_arrears, loan.default_interest_due) == (45, default)
    assert loan.arrears_amount == first.payment + second.payment + default

    repayment = pay(loan, day, first.payment + default, "LATE-1")
    # Default interest, then the interest of both due instalments (oldest first), then principal.
    assert (repayment.allocated_default_interest, repayment.allocated_interest, repayment.allocated_principal) == (
        default,
        first.interest + second.interest,
        first.principal - second.interest,
    )
    assert loan.default_interest_due == 0
    assert (loan.days_in_arrears, loan.state) == (45, Loan.State.IN_ARREARS)  # 1 is still short by i2
    assert Repayment.objects.get().applied_total == first.payment + default


def test_the_default_rate_never_exceeds_the_usury_cap_of_the_day():
    cap("25.00")  # a cap below the product's 30 % default rate
    loan = make_loan(amount=10_000_000, term=12, disbursed_on=date(2026, 1, 15), default_rate="30")
    first = rows(loan)[0]
    repayments.loan_refresh_state(loan, today=date(2026, 4, 1))
    loan.refresh_from_db()
    second = rows(loan)[1]
    capped = Decimal("1.25")
    expected = peso(first.principal * (capped ** (Decimal(45) / 365) - 1)) + peso(
        second.principal * (capped ** (Decimal(17) / 365) - 1)
    )
    assert loan.default_interest_due == expected
