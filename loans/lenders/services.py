"""Writes of the partner lenders (issue 16): refer, accept, decline, study, disburse, pay.

Each is one transaction; the application's status changes only through workflow.transition
(the lender's disbursement is the move ``lender_disburse``), the loan is opened by
servicing.services.loan_open and payments go through servicing.repayments.repayment_record,
the same services the admin and the bank files use. Every step writes a ReferralEvent and
notifies the applicant on commit.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applicants.models import User
from loans import permissions
from loans.applications.models import LoanApplication
from loans.applications.workflow import MOVES, TransitionError, transition
from loans.choices import ApplicationStatus as S
from loans.lenders import tasks, webhooks
from loans.lenders.models import Intermediary, Referral, ReferralEvent
from loans.lenders.notifications import notify_referral
from loans.review import services as review
from loans.servicing.models import Loan, Repayment
from loans.servicing.repayments import RepaymentError, repayment_record
from portal.queue import enqueue

R = Referral.Status


class LenderError(Exception):
    """A step that cannot be taken; the message is for the person or system that tried it."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 422):
        super().__init__(message)
        self.code = code
        self.status = status


class NotFound(LenderError):
    def __init__(self) -> None:
        super().__init__(_("No such referral for this intermediary."), code="not_found", status=404)


def _event(referral: Referral, from_status: str, *, actor: User | None, via: str, detail: str = "") -> None:
    ReferralEvent.objects.create(
        referral=referral, from_status=from_status, to_status=referral.status, actor=actor, via=via, detail=detail
    )
    step = referral.status
    transaction.on_commit(lambda: notify_referral(referral.pk, step))
    transaction.on_commit(lambda: _webhook(referral.pk, step))


def _webhook(referral_id: int, step: str) -> None:
    if step == R.REFERRED:
        delivery = webhooks.send_event(referral_id, "referral.created")
        if delivery is not None:
            enqueue(tasks.deliver_webhook, delivery.pk)


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
                referral = Referral.objects.create(application=locked, intermediary=intermediary, referred_by=officer)
        except IntegrityError as error:
            raise LenderError(
                _("This application is already referred to an intermediary."), code="conflict", status=409
            ) from error
        _event(referral, "", actor=officer, via="admin", detail=intermediary.name)
    return referral


def _locked(referral_id: int, intermediary: Intermediary, allowed: tuple[str, ...]) -> Referral:
    referral = (
        Referral.objects.select_for_update()
        .select_related("application", "intermediary")
        .filter(pk=referral_id, intermediary=intermediary)
        .first()
    )
    if referral is None:
        raise NotFound()
    if referral.status not in allowed:
        raise LenderError(
            _("This referral is “%(status)s”; this step is not possible now.") % {"status": R(referral.status).label},
            code="conflict",
            status=409,
        )
    return referral


def referral_accept(*, referral: Referral, intermediary: Intermediary, via: str = "api") -> Referral:
    with transaction.atomic():
        locked = _locked(referral.pk, intermediary, (R.REFERRED,))
        locked.status = R.ACCEPTED
        locked.save(update_fields=["status", "updated_at"])
        _event(locked, R.REFERRED, actor=None, via=via)
    return locked


def referral_decline(*, referral: Referral, intermediary: Intermediary, reason: str, via: str = "api") -> Referral:
    """The lender declines: the application returns to the programme, which may refer it elsewhere."""
    if not reason.strip():
        raise LenderError(_("Give the reason for declining."), code="reason_required", status=400)
    with transaction.atomic():
        locked = _locked(referral.pk, intermediary, (R.REFERRED, R.ACCEPTED))
        before = locked.status
        locked.status, locked.decline_reason = R.DECLINED, reason.strip()
        locked.save(update_fields=["status", "decline_reason", "updated_at"])
        _event(locked, before, actor=None, via=via, detail=locked.decline_reason)
    return locked


def referral_study(
    *, referral: Referral, intermediary: Intermediary, approved: bool, note: str = "", via: str = "api"
) -> Referral:
    """The lender's credit study outcome; a rejection returns the application to the programme."""
    if not approved and not note.strip():
        raise LenderError(_("Give the reason the credit study was not approved."), code="reason_required", status=400)
    with transaction.atomic():
        locked = _locked(referral.pk, intermediary, (R.ACCEPTED,))
        locked.status = R.STUDY_APPROVED if approved else R.STUDY_REJECTED
        locked.study_note = note.strip()
        locked.save(update_fields=["status", "study_note", "updated_at"])
        _event(locked, R.ACCEPTED, actor=None, via=via, detail=locked.study_note)
    return locked


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
    with transaction.atomic():
        locked = _locked(referral.pk, intermediary, (R.STUDY_APPROVED,))
        offer = offer_of(locked.application)
        if not 0 < amount <= offer["amount"]:
            raise LenderError(
                _("The amount must be positive and at most the approved offer of %(amount)s.") % offer,
                code="outside_offer",
            )
        if grace_months is None:
            grace_months = offer["grace_months"]
        if term_months != offer["term_months"] or grace_months != offer["grace_months"]:
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

        def open_loan(application: LoanApplication) -> None:
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
                before_save=open_loan,
            )
        except TransitionError as error:
            raise LenderError(str(error), code="conflict", status=409) from error
        locked.status, locked.loan = R.DISBURSED, created["loan"]
        locked.save(update_fields=["status", "loan", "updated_at"])
        _event(locked, R.STUDY_APPROVED, actor=actor, via=via, detail=bank_reference)
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
        locked = _locked(referral.pk, intermediary, (R.DISBURSED,))
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
