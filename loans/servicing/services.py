"""Writes of loan servicing: opening the loan at disbursement (repayments: repayments.py)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applicants.models import User
from loans.products.models import LoanOffer
from loans.products.offers import offer_schedule
from loans.products.schedule import add_months
from loans.servicing import ledger
from loans.servicing.models import FollowUpVisit, Loan, LoanInstalment, ScheduleVersion

FOLLOW_UP_MONTHS = (3, 6, 12)


class BankReferenceUsed(Exception):
    """Another disbursement already used this bank reference; the message is for the approver."""


def loan_open(
    *,
    application,
    offer: LoanOffer,
    amount: int,
    disbursed_on: date,
    bank_reference: str,
    disbursed_by: User,
) -> Loan:
    """The loan of a disbursed application, from its accepted offer at the disbursement date: the
    schedule's first version and the follow-up visits. Runs inside the disbursement's transition
    (the application row is locked)."""
    schedule = offer_schedule(offer, start=disbursed_on, amount=amount)
    try:
        # Its own savepoint: a disbursement of another application with the same reference,
        # committed a moment ago, surfaces as the officer's message instead of a server error.
        with transaction.atomic():
            loan = Loan.objects.create(
                application=application,
                offer=offer,
                principal=amount,
                annual_rate_pct=offer.annual_rate_pct,
                term_months=offer.term_months,
                grace_months=offer.grace_months,
                disbursed_on=disbursed_on,
                bank_reference=bank_reference,
                disbursed_by=disbursed_by,
                rebate_amount=schedule.on_time_rebate,
                default_accrued_through=disbursed_on,
            )
    except IntegrityError as error:
        raise BankReferenceUsed(_("This bank reference was already used for another disbursement.")) from error
    rows = LoanInstalment.objects.bulk_create(ledger.opening_rows(loan, offer, schedule))
    ledger.version_record(loan, rows, reason=ScheduleVersion.Reason.DISBURSEMENT)
    FollowUpVisit.objects.bulk_create(
        FollowUpVisit(loan=loan, months_after=months, due_on=add_months(disbursed_on, months))
        for months in FOLLOW_UP_MONTHS
    )
    return loan
