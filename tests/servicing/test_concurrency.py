"""A bank file import and a manual payment on the same loan at the same moment (real PostgreSQL locks)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from loans.models import Loan, LoanInstalment, Repayment
from loans.servicing import ledger, repayments
from tests.factories import StaffFactory
from tests.review.test_concurrency import race
from tests.servicing.helpers import cap, make_loan

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_allocation(monkeypatch):
    """Whoever holds the loan's lock keeps it a moment while allocating."""
    original = ledger.allocate

    def allocate(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(ledger, "allocate", allocate)


def test_a_bank_file_and_a_manual_payment_on_one_loan_are_allocated_one_after_the_other(slow_allocation):
    cap()
    today = timezone.localdate()
    loan = make_loan(amount=6_000_000, term=12, disbursed_on=today - timedelta(days=95), default_rate="20")
    rows = ledger.loan_rows(loan)
    staff = StaffFactory()
    content = (
        "loan_reference,paid_on,amount,bank_reference\n"
        f"{loan.application.reference},{today.isoformat()},{rows[0].payment},BCO-FILE\n"
    ).encode()

    results = race(
        lambda: repayments.bank_file_import(content=content, user=staff),
        lambda: repayments.repayment_record(
            loan=loan, paid_on=today, amount=rows[1].payment, bank_reference="CAJA-1", user=staff
        ),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert (results[0][1].applied, results[0][1].errors) == (1, [])
    payments = list(Repayment.objects.order_by("recorded_at", "pk"))
    assert sorted(p.bank_reference for p in payments) == ["BCO-FILE", "CAJA-1"]
    for payment in payments:
        assert payment.applied_total == payment.amount
    # Default interest was charged once, by whichever payment came first; the second found it paid.
    assert sum(p.allocated_default_interest for p in payments) == Loan.objects.get(pk=loan.pk).default_interest_charged
    paid = LoanInstalment.objects.filter(loan=loan).values_list("paid_interest", "paid_principal")
    total_to_rows = sum(i + p for i, p in paid)
    assert total_to_rows + sum(
        p.allocated_default_interest + p.prepaid_principal + p.unallocated for p in payments
    ) == (rows[0].payment + rows[1].payment)
