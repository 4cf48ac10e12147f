"""Bad payments are refused with a clear message and change nothing; refunds need two people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from loans.models import CreditRefund, Loan, LoanInstalment, Repayment
from loans.servicing import ledger, repayments
from tests.factories import StaffFactory
from tests.servicing.helpers import cap, make_loan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def loan(db):
    cap()
    return make_loan(amount=5_000_000, term=12, disbursed_on=TODAY - timedelta(days=70))


def _snapshot(loan):
    return (
        list(LoanInstalment.objects.filter(loan=loan).values_list("paid_interest", "paid_principal", "paid_on")),
        Repayment.objects.count(),
        Loan.objects.values_list("credit_balance", "schedule_version", "state").get(pk=loan.pk),
    )


@pytest.mark.parametrize(
    ("paid_on", "amount", "message"),
    [
        (TODAY + timedelta(days=1), 1000, "is in the future"),
        (TODAY - timedelta(days=400), 1000, "is before the disbursement"),
        (TODAY, 0, "The amount must be greater than zero."),
        (TODAY, -5, "The amount must be greater than zero."),
    ],
)
def test_a_bad_payment_is_refused_and_nothing_is_applied(loan, paid_on, amount, message):
    before = _snapshot(loan)
    with pytest.raises(repayments.RepaymentError, match=message):
        repayments.repayment_record(loan=loan, paid_on=paid_on, amount=amount, bank_reference="X-1", user=None)
    assert _snapshot(loan) == before


def test_a_repaid_loan_takes_no_more_payments(loan):
    owed = ledger.payoff_amount(loan, ledger.loan_rows(loan), TODAY)
    repayments.repayment_record(loan=loan, paid_on=TODAY, amount=owed, bank_reference="ALL", user=None)
    loan.refresh_from_db()
    assert loan.state == Loan.State.REPAID
    before = _snapshot(loan)
    with pytest.raises(repayments.RepaymentError, match="fully repaid"):
        repayments.repayment_record(loan=loan, paid_on=TODAY, amount=10, bank_reference="AGAIN", user=None)
    assert _snapshot(loan) == before


def test_a_bank_file_mixing_good_and_bad_lines_applies_nothing(loan):
    staff = StaffFactory()
    reference = loan.application.reference
    content = (
        "loan_reference,paid_on,amount,bank_reference\n"
        f"{reference},{TODAY.isoformat()},150000,OK-1\n"
        f"RP-0000-000000,{TODAY.isoformat()},150000,UNKNOWN-1\n"
        f"{reference},{(TODAY + timedelta(days=2)).isoformat()},150000,FUTURE-1\n"
        f"{reference},{(TODAY - timedelta(days=400)).isoformat()},150000,EARLY-1\n"
        f"{reference},{TODAY.isoformat()},0,ZERO-1\n"
    ).encode()
    before = _snapshot(loan)
    report = repayments.bank_file_import(content=content, user=staff)
    assert report.applied == 0
    assert report.errors == [
        "Line 3: no disbursed loan with reference RP-0000-000000.",
        "Line 4: the date is in the future.",
        "Line 5: the date is before the disbursement.",
        "Line 6: the amount must be a whole number of pesos above zero.",
    ]
    assert _snapshot(loan) == before


def test_a_credit_balance_is_refunded_by_two_different_people(loan):
    owed = ledger.payoff_amount(loan, ledger.loan_rows(loan), TODAY)
    repayments.repayment_record(loan=loan, paid_on=TODAY, amount=owed + 7_000, bank_reference="OVER", user=None)
    loan.refresh_from_db()
    assert loan.credit_balance == 7_000
    first, second = StaffFactory(), StaffFactory()
    for user in (first, second):
        user.groups.add(Group.objects.get(name="Approver"))
    first, second = (type(first).objects.get(pk=u.pk) for u in (first, second))

    with pytest.raises(repayments.RepaymentError, match="at most the credit balance"):
        repayments.credit_refund_request(loan=loan, user=first, amount=8_000)
    refund = repayments.credit_refund_request(loan=loan, user=first)
    with pytest.raises(repayments.RepaymentError, match="a different person must approve it"):
        repayments.credit_refund_decide(refund=refund, user=first, approve=True, bank_reference="T-1")
    with pytest.raises(repayments.RepaymentError, match="bank reference"):
        repayments.credit_refund_decide(refund=refund, user=second, approve=True, bank_reference=" ")
    paid = repayments.credit_refund_decide(refund=refund, user=second, approve=True, bank_reference="T-1")
    loan.refresh_from_db()
    assert (paid.state, paid.amount, paid.requested_by, paid.decided_by, loan.credit_balance) == (
        CreditRefund.State.PAID,
        7_000,
        first,
        second,
        0,
    )
    with pytest.raises(repayments.RepaymentError, match="already decided"):
        repayments.credit_refund_decide(refund=refund, user=second, approve=True, bank_reference="T-2")


def test_a_program_officer_cannot_ask_for_refunds(loan):
    officer = StaffFactory()
    officer.groups.add(Group.objects.get(name="Program officer"))
    officer = type(officer).objects.get(pk=officer.pk)
    with pytest.raises(repayments.RepaymentError, match="permission"):
        repayments.credit_refund_request(loan=loan, user=officer)
