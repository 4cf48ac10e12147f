"""The daily servicing job: replayable for any day, and on PostgreSQL one set-based statement."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loans.choices import GraceMode
from loans.models import Loan
from loans.servicing import daily, ledger, repayments
from portal import changes
from tests.servicing.helpers import cap, make_loan

pytestmark = pytest.mark.django_db
START = date(2026, 1, 15)


def test_the_command_replays_any_day(db, capsys):
    cap()
    loan = make_loan(amount=5_000_000, term=12, disbursed_on=START, default_rate="20")
    call_command("servicing_daily", "--as-of", "2026-02-10")
    loan.refresh_from_db()
    assert (loan.days_in_arrears, loan.state, loan.default_interest_due) == (0, Loan.State.ACTIVE, 0)
    call_command("servicing_daily", "--as-of", "2026-03-02")
    loan.refresh_from_db()
    assert (loan.days_in_arrears, loan.state) == (15, Loan.State.IN_ARREARS)  # instalment 1 was due 15 Feb
    assert loan.default_interest_due > 0
    assert "serviced as of 2026-03-02" in capsys.readouterr().out


def test_a_bad_as_of_date_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as-of must be a date written YYYY-MM-DD"):
        call_command("servicing_daily", "--as-of", "31/03/2026")


def _portfolio():
    cap("30.00")
    loans = [
        make_loan(amount=5_000_000, term=12, disbursed_on=START, default_rate="20"),
        make_loan(amount=80_000_000, term=36, grace=6, grace_mode=GraceMode.CAPITALISED, disbursed_on=START),
        make_loan(amount=9_000_000, term=24, grace=3, disbursed_on=START, default_rate="45", state_pays_every=12),
        make_loan(amount=2_000_000, term=6, disbursed_on=START - timedelta(days=40), default_rate="25"),
    ]
    first = ledger.loan_rows(loans[3])[0]
    repayments.repayment_record(
        loan=loans[3], paid_on=first.due_date, amount=first.payment // 2, bank_reference="HALF", user=None,
        today=first.due_date,
    )  # fmt: skip
    return loans


@pytest.mark.needs_postgres
def test_the_sql_job_gives_what_the_ledger_gives_loan_by_loan(db):
    loans = _portfolio()
    as_of = date(2026, 6, 20)
    expected = {}
    for loan in loans:
        copy = Loan.objects.select_related("offer").get(pk=loan.pk)
        rows = ledger.loan_rows(copy)
        ledger.accrue_default_interest(copy, rows, as_of)
        ledger.refresh_state(copy, rows, as_of)
        expected[loan.pk] = (copy.days_in_arrears, copy.arrears_amount, copy.default_interest_due, copy.state)
    with CaptureQueriesContext(connection) as queries:
        assert daily.loans_refresh(as_of=as_of) == len(loans)
    # Set-based whatever the number of loans: drop, compute, read the PAR30 crossings, update, drop
    # (the rest are the savepoints and the summaries' grouped reads of the crossing loans).
    assert [q["sql"].split()[0] for q in queries if "servicing_refresh" in q["sql"]] == [
        "DROP", "CREATE", "SELECT", "UPDATE", "DROP"
    ]  # fmt: skip
    got = {
        pk: (days, arrears, default, state)
        for pk, days, arrears, default, state in Loan.objects.values_list(
            "pk", "days_in_arrears", "arrears_amount", "default_interest_due", "state"
        )
    }
    assert got == expected
    # Run twice for the same day: nothing more is charged.
    daily.loans_refresh(as_of=as_of)
    assert dict(Loan.objects.values_list("pk", "default_interest_due")) == {k: v[2] for k, v in expected.items()}


@pytest.mark.needs_postgres
def test_the_summaries_watch_only_the_loans_that_cross_par30(db, monkeypatch):
    loans = _portfolio()
    as_of = date(2026, 6, 20)
    before = {loan.application_id: loan.days_in_arrears > daily.PAR_DAYS for loan in Loan.objects.all()}
    watched: list[list[int]] = []

    @contextmanager
    def tracker(application_ids, applicant_ids):
        watched.append(list(application_ids))
        yield

    monkeypatch.setattr(changes, "_trackers", [tracker])
    daily.loans_refresh(as_of=as_of)
    after = {loan.application_id: loan.days_in_arrears > daily.PAR_DAYS for loan in Loan.objects.all()}
    crossing = sorted(pk for pk in after if after[pk] != before[pk])
    assert crossing and len(crossing) < len(loans)  # the portfolio has loans on both sides of the line
    assert watched == [crossing]
    # The same day again: nobody crosses, the summaries are not asked to measure anything.
    daily.loans_refresh(as_of=as_of)
    assert watched == [crossing]
