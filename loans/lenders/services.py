"""Writes of the partner lenders (issue 16): refer, accept, decline, study, disburse, pay.

Each is one transaction; a referral's status changes only through workflow.referral_transition
(its MOVES table: the step, its sources, its target), the application's only through
applications.workflow.transition (the lender's disbursement is the move ``lender_disburse``),
the loan is opened by servicing.services.loan_open and payments go through
servicing.repayments.repayment_record, the same services the admin and the bank files use.
Every step writes a ReferralEvent and notifies the applicant on commit.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applicants.models import User
from loans import permissions
from loans.applications.models import LoanApplication
from loans.applications.workflow import MOVES, TransitionError, transition
from loans.choices import ApplicationStatus as S
from loans.lenders import tasks
from loans.lenders.models import Intermediary, Referral, ReferralEvent, WebhookDelivery
from loans.lenders.workflow import MOVES as REFERRAL_MOVES
from loans.lenders.workflow import (
    LenderError,
    NotFound,
    referral_locked,
    referral_recorded,
    referral_transition,
    webhook_queue,
)
from loans.products.models import LoanOffer
from loans.review import services as review
from loans.servicing.models import Loan, Repayment
from loans.servicing.repayments import RepaymentError, repayment_record
from portal.queue import enqueue

R = Referral.Status
logger = logging.getLogger(__name__)


def first_serving(application: LoanApplication) -> Intermediary | None:
    """The first active intermediary (by name) that serves the business's department and carries the
    product, and has not already declined or turned down this application."""
    tried = Referral.objects.filter(application=application).values("intermediary_id")
    return (
        Intermediary.objects.filter(active=True, departments=application.business_department_id)
        .filter(products=application.product_id)
        .exclude(pk__in=tried)
        .order_by("name", "pk")
        .first()
    )


def referral_create(
    *, application: LoanApplication, officer: User, intermediary: Intermediary | None = None
) -> Referral:
    """An approved application goes to a lender: the one the officer chose, or the first serving it."""
    if not permissions.is_officer(officer) and not permissions.is_approver(officer):
        raise LenderError(_("Only programme officers can refer an application."), code="forbidden", status=403)
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.APPROVED:
            raise LenderError(_("Only an approved application can be referred to an intermediary."))
        if intermediary is None:
            intermediary = first_serving(locked)
            if intermediary is None:
                raise LenderError(_("No active intermediary serves this department with this product."))
        if not intermediary.active:
            raise LenderError(_("The intermediary %(name)s is not active.") % {"name": intermediary.name})
        if Referral.objects.filter(application=locked, status__in=Referral.OPEN).exists():
            raise LenderError(
                _("This application is already referred to an intermediary."), code="conflict", status=409
            )
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    application=locked,
                    intermediary=intermediary,
                    referred_by=officer,
                    status=REFERRAL_MOVES["refer"].to,
                )
        except IntegrityError as error:
            raise LenderError(
                _("This application is already referred to an intermediary."), code="conflict", status=409
            ) from error
        referral_recorded(referral, "", actor=officer, via="admin", detail=intermediary.name)
    return referral


def referral_accept(*, referral: Referral, intermediary: Intermediary, via: str = "api") -> Referral:
    return referral_transition(referral, "accept", intermediary=intermediary, actor=None, via=via)


def referral_decline(*, referral: Referral, intermediary: Intermediary, reason: str, via: str = "api") -> Referral:
    """The lender declines: the application returns to the programme, which may refer it elsewhere."""
    reason = reason.strip()
    if not reason:
        raise LenderError(_("Give the reason for declining."), code="reason_required", status=400)

    def record(locked: Referral) -> None:
        locked.decline_reason = reason

    return referral_transition(
        referral, "decline", intermediary=intermediary, actor=None, via=via, detail=reason, before_save=record
    )


def referral_study(
    *, referral: Referral, intermediary: Intermediary, approved: bool, note: str = "", via: str = "api"
) -> Referral:
    """The lender's credit study outcome; a rejection returns the application to the programme."""
    note = note.strip()
    if not approved and not note:
        raise LenderError(_("Give the reason the credit study was not approved."), code="reason_required", status=400)

    def record(locked: Referral) -> None:
        locked.study_note = note

    return referral_transition(
        referral,
        "study_approve" if approved else "study_reject",
        intermediary=intermediary,
        actor=None,
        via=via,
        detail=note,
        before_save=record,
    )


def offer_of(application: LoanApplication) -> dict[str, int]:
    """The frozen offer the applicant accepted: a lender's disbursement must stay within it."""
    offer = review.current_offer(application)
    return {"amount": offer.amount, "term_months": offer.term_months, "grace_months": offer.grace_months}


def referral_disburse(
    *,
    referral: Referral,
    intermediary: Intermediary,
    disbursed_on: date,
    amount: int,
    term_months: int,
    grace_months: int | None,
    bank_reference: str,
    actor: User,
    via: str = "api",
) -> Loan:
    """The lender disbursed: the loan opens through the one transition, within the approved offer."""
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise LenderError(_("Enter the bank reference of the transfer."), code="reference_required", status=400)
    created: dict[str, Loan] = {}

    def open_loan(locked: Referral) -> None:
        offer = offer_of(locked.application)
        if not 0 < amount <= offer["amount"]:
            raise LenderError(
                _("The amount must be positive and at most the approved offer of %(amount)s.") % offer,
                code="outside_offer",
            )
        grace = offer["grace_months"] if grace_months is None else grace_months
        if term_months != offer["term_months"] or grace != offer["grace_months"]:
            raise LenderError(
                _(
                    "The term and grace are those of the offer the applicant accepted: %(term_months)s months, "
                    "%(grace_months)s of grace."
                )
                % offer,
                code="outside_offer",
            )
        try:
            review.disbursement_check(
                application=locked.application, disbursed_on=disbursed_on, amount=amount, bank_reference=bank_reference
            )
        except review.ReviewError as error:
            raise LenderError(str(error), code="outside_offer") from error

        def create_loan(application: LoanApplication) -> None:
            created["loan"] = review.disbursement_open(
                application,
                amount=amount,
                disbursed_on=disbursed_on,
                bank_reference=bank_reference,
                disbursed_by=actor,
            )

        move = MOVES["lender_disburse"]
        try:
            transition(
                locked.application,
                move.to,
                actor=actor,
                reason=_("Disbursed by %(lender)s: %(amount)s, reference %(reference)s")
                % {"lender": intermediary.name, "amount": amount, "reference": bank_reference},
                expected_from=move.sources,
                before_save=create_loan,
            )
        except TransitionError as error:
            raise LenderError(str(error), code="conflict", status=409) from error
        locked.loan = created["loan"]

    referral_transition(
        referral,
        "disburse",
        intermediary=intermediary,
        actor=actor,
        via=via,
        detail=bank_reference,
        before_save=open_loan,
    )
    return created["loan"]


def referral_payment(
    *,
    referral: Referral,
    intermediary: Intermediary,
    paid_on: date,
    amount: int,
    bank_reference: str,
    actor: User | None,
    via: str = "api",
) -> tuple[Repayment, bool]:
    """A repayment the lender collected, through the same service as the bank files."""
    with transaction.atomic():
        locked = referral_locked(referral.pk, intermediary, frozenset({R.DISBURSED}))
        loan = locked.loan
        if loan is None:  # a disbursed referral always has its loan; kept for the type checker
            raise NotFound()
        try:
            repayment, created = repayment_record(
                loan=loan, paid_on=paid_on, amount=amount, bank_reference=bank_reference, user=actor
            )
        except RepaymentError as error:
            raise LenderError(str(error), code="payment_refused") from error
        if created:
            ReferralEvent.objects.create(
                referral=locked,
                from_status=locked.status,
                to_status=locked.status,
                actor=actor,
                via=via,
                detail=_("Payment of %(amount)s on %(date)s, reference %(ref)s")
                % {"amount": amount, "date": paid_on.isoformat(), "ref": repayment.bank_reference},
            )
    return repayment, created


def intermediary_user(intermediary: Intermediary) -> User:
    """The user that stands for the intermediary in the records (disbursed_by, events)."""
    user, _created = User.objects.get_or_create(
        email=f"api+{intermediary.pk}@intermediarios.retorno.invalid",
        defaults={"is_active": False, "password": "!"},  # "!": no password can log in
    )
    return user


# --- what the lender of an open referral hears of the application (loans/wiring.py connects these
# to loans.applications.hooks; they run after the commit) ---------------------------------------


def _open_referral_id(application_id: int) -> int | None:
    return (
        Referral.objects.filter(application_id=application_id, status__in=Referral.OPEN)
        .values_list("pk", flat=True)
        .first()
    )


def application_moved(application_id: int, from_status: str, to_status: str) -> int | None:
    """``application.withdrawn``: an application its lender holds ends (the applicant declined the
    offer or withdrew, or the approval lapsed), so the lender stops its study."""
    if to_status not in (S.WITHDRAWN, S.CANCELLED):
        return None
    referral = (
        Referral.objects.select_related("intermediary")
        .filter(application_id=application_id, status__in=REFERRAL_MOVES["close"].sources)
        .first()
    )
    if referral is None:
        return None
    # The referral ends with the application: out of the lender's open list, any later API step 409.
    referral_transition(
        referral, "close", intermediary=referral.intermediary, actor=None, via="programme", detail=to_status
    )
    referral_id = referral.pk
    return webhook_queue(
        referral_id, "application.withdrawn", {"application_status": to_status, "previous_status": from_status}
    )


def application_offer_accepted(application_id: int, offer_id: int) -> int | None:
    """``offer.accepted``: the applicant accepted a new offer (a recommendation's or a re-pricing's);
    the lender must disburse within it."""
    referral_id = _open_referral_id(application_id)
    if referral_id is None:
        return None
    offer = LoanOffer.objects.get(pk=offer_id)
    return webhook_queue(
        referral_id,
        "offer.accepted",
        {
            "offer": {
                "amount": offer.amount,
                "term_months": offer.term_months,
                "grace_months": offer.grace_months,
                "annual_rate_pct": str(offer.annual_rate_pct),
                "accepted_at": offer.accepted_at.isoformat() if offer.accepted_at else None,
            }
        },
    )


def delivery_replay(*, delivery_ids: list[int], actor: User) -> int:
    """Staff send webhook deliveries again: each is pending again and queued once the reset commits."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update().filter(pk__in=delivery_ids).values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(status=WebhookDelivery.Status.PENDING, last_error="")
        for pk in ids:
            transaction.on_commit(partial(enqueue, tasks.deliver_webhook, pk))
    logger.info("Webhook deliveries %s queued again by user %s", ids, actor.pk)
    return len(ids)
