"""Writes of loan servicing: opening the loan at disbursement (repayments: repayments.py)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applicants.models import User
from loans.products.schedule import add_months, schedule_for
from loans.servicing.models import FollowUpVisit, Loan, LoanInstalment

FOLLOW_UP_MONTHS = (3, 6, 12)


class BankReferenceUsed(Exception):
    """Another disbursement already used this bank reference; the message is for the approver."""


def loan_open(
    *,
    application,
    amount: int,
    term_months: int,
    grace_months: int,
    disbursed_on: date,
    bank_reference: str,
    disbursed_by: User,
) -> Loan:
    """The loan of a disbursed application, its schedule recomputed at the disbursement date, and
    its follow-up visits. Runs inside the disbursement's transition (the application row is locked)."""
    product = application.product
    schedule = schedule_for(
        product, amount=amount, term_months=term_months, grace_months=grace_months, start=disbursed_on
    )
    try:
        # Its own savepoint: a disbursement of another application with the same reference,
        # committed a moment ago, surfaces as the officer's message instead of a server error.
        with transaction.atomic():
            loan = Loan.objects.create(
                application=application,
                principal=amount,
                annual_rate_pct=product.annual_rate_pct,
                term_months=term_months,
                grace_months=grace_months,
                disbursed_on=disbursed_on,
                bank_reference=bank_reference,
                disbursed_by=disbursed_by,
                rebate_amount=schedule.on_time_rebate,
            )
    except IntegrityError as error:
        raise BankReferenceUsed(_("This bank reference was already used for another disbursement.")) from error
    LoanInstalment.objects.bulk_create(
        LoanInstalment(
            loan=loan,
            number=row.number,
            due_date=row.due_date,
            interest=row.interest,
            principal=row.principal,
            payment=row.payment,
            state_paid=row.state_paid,
        )
        for row in schedule.instalments
    )
    FollowUpVisit.objects.bulk_create(
        FollowUpVisit(loan=loan, months_after=months, due_on=add_months(disbursed_on, months))
        for months in FOLLOW_UP_MONTHS
    )
    return loan
