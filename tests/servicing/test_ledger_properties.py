"""Ledger invariants over random offers and random payment streams (late, partial, early, over).

The ledger runs in memory here (unsaved loan and rows; the database only answers the usury cap),
so hypothesis can try hundreds of streams quickly. Checked after every payment:

* allocated + credit = paid;
* no interest is collected before its due date (rows not yet due have no interest paid);
* no balance is negative;
* nothing is overdue once everything due has been paid;
* a capitalised grace month is never due nor overdue;
* a prepayment never increases the total interest of the loan;
* paying each instalment on its due date is never in arrears and earns the rebate.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loans.choices import CreditCategory, GraceMode, PrepaymentChoice
from loans.models import Loan, LoanOffer
from loans.products.offers import offer_schedule
from loans.servicing import ledger
from tests.servicing.helpers import cap

pytestmark = pytest.mark.django_db
PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
START = date(2026, 1, 15)


@pytest.fixture(autouse=True)
def _cap(db):
    cap("60.00")


offers = st.builds(
    dict,
    amount=st.integers(min_value=1_000_000, max_value=200_000_000),
    rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("45"), places=2),
    term=st.integers(min_value=2, max_value=48),
    grace=st.integers(min_value=0, max_value=6),
    capitalised=st.booleans(),
    default_rate=st.sampled_from([Decimal(0), Decimal("20"), Decimal("45")]),
    state_every=st.sampled_from([None, None, 6, 12]),
)


def _in_memory(spec):
    grace = min(spec["grace"], spec["term"] - 1)
    offer = LoanOffer(
        amount=spec["amount"],
        term_months=spec["term"],
        grace_months=grace,
        annual_rate_pct=spec["rate"],
        credit_category=CreditCategory.PRODUCTIVO_URBANO,
        min_amount=1,
        max_amount=spec["amount"],
        max_financing_pct=Decimal(100),
        min_term_months=1,
        max_term_months=60,
        max_grace_months=12,
        grace_mode=GraceMode.CAPITALISED if spec["capitalised"] else GraceMode.INTEREST_ONLY,
        state_pays_every=spec["state_every"],
        on_time_rebate_pct=Decimal(10),
        default_rate_pct=spec["default_rate"],
        offered_on=START,
    )
    schedule = offer_schedule(offer, start=START)
    loan = Loan(
        offer=offer,
        principal=spec["amount"],
        annual_rate_pct=spec["rate"],
        term_months=spec["term"],
        grace_months=grace,
        disbursed_on=START,
        rebate_amount=schedule.on_time_rebate,
        default_accrued_through=START,
    )
    return loan, ledger.opening_rows(loan, offer, schedule)


def _total_interest(rows):
    return sum(r.interest + r.capitalised_interest for r in rows)


def _apply(loan, rows, amount, day, choice=PrepaymentChoice.SHORTEN_TERM):
    allocation = ledger.allocate(loan, rows, amount, day, choice=choice)
    rows[:] = [r for r in rows if r.number > 0]
    loan.credit_balance += allocation.credit
    ledger.refresh_state(loan, rows, day)
    return allocation


def _check(loan, rows, day):
    for r in rows:
        assert min(r.interest, r.principal, r.payment, r.paid_interest, r.paid_principal, r.capitalised_interest) >= 0
        assert r.paid_interest <= r.interest and r.paid_principal <= r.principal
        if r.due_date > day:
            assert r.paid_interest == 0, "interest collected before its due date"
        if r.capitalised_interest:
            assert r.payment == 0, "a capitalised grace month is never due"
    assert loan.default_interest_due >= 0 and loan.credit_balance >= 0


payments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400),  # days after disbursement
        st.sampled_from(["instalment", "partial", "double", "random", "everything"]),
        st.integers(min_value=1, max_value=30_000_000),
        st.sampled_from(list(PrepaymentChoice.values)),
    ),
    max_size=12,
)


@PROPERTY
@given(spec=offers, stream=payments)
def test_every_payment_is_fully_accounted_for_and_the_ledger_stays_sound(spec, stream):
    loan, rows = _in_memory(spec)
    day = START
    for offset, kind, amount, choice in sorted(stream):
        day = max(day, START + timedelta(days=offset))
        if loan.state == Loan.State.REPAID:
            break
        next_row = next((r for r in rows if r.payment - r.paid_interest - r.paid_principal > 0), None)
        amount = {
            "instalment": next_row.payment if next_row else amount,
            "partial": max(1, (next_row.payment if next_row else amount) // 3),
            "double": 2 * (next_row.payment if next_row else amount),
            "random": amount,
            "everything": ledger.payoff_amount(loan, rows, day) + amount,
        }[kind]
        before_interest = _total_interest(rows)
        allocation = _apply(loan, rows, amount, day, choice)
        paid_total = (
            allocation.default_interest
            + allocation.interest
            + allocation.principal
            + allocation.prepaid_principal
            + allocation.credit
        )
        assert paid_total == amount
        _check(loan, rows, day)
        if allocation.new_version == "prepayment":
            assert _total_interest(rows) <= before_interest, "a prepayment increased the total interest"
        if allocation.prepaid_principal or allocation.credit:
            # Money went beyond what was due, so everything due was paid: nothing may be overdue.
            assert not [r for r in rows if ledger._is_overdue(r, day)], "overdue although everything due was paid"
            assert loan.days_in_arrears == 0 and loan.default_interest_due == 0


@PROPERTY
@given(spec=offers)
def test_paying_each_instalment_on_its_due_date_is_never_late_and_earns_the_rebate(spec):
    loan, rows = _in_memory(spec)
    for row in list(rows):
        # Mid-period and on the due date, with every earlier instalment paid: nothing is overdue.
        ledger.accrue_default_interest(loan, rows, row.due_date)
        ledger.refresh_state(loan, rows, row.due_date)
        assert loan.days_in_arrears == 0
        if row.state_paid:
            row.paid_interest, row.paid_principal, row.paid_on = row.interest, row.principal, row.due_date
            continue
        if row.payment:
            _apply(loan, rows, row.payment, row.due_date)
            assert loan.days_in_arrears == 0
            assert loan.default_interest_charged == 0
    ledger.refresh_state(loan, rows, rows[-1].due_date)
    assert loan.state == Loan.State.REPAID
    assert loan.rebate_granted_at is not None


@PROPERTY
@given(spec=offers, days=st.integers(min_value=0, max_value=200))
def test_a_capitalised_grace_period_is_never_overdue(spec, days):
    spec = {**spec, "capitalised": True, "grace": max(1, spec["grace"]), "term": max(spec["term"], 8)}
    loan, rows = _in_memory(spec)
    grace_end = rows[loan.grace_months - 1].due_date
    day = min(START + timedelta(days=days), grace_end + timedelta(days=1))
    ledger.accrue_default_interest(loan, rows, day)
    ledger.refresh_state(loan, rows, day)
    assert (loan.days_in_arrears, loan.arrears_amount, loan.default_interest_due) == (0, 0, 0)
