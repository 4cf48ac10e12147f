"""The officer's decisions (issue 5). Every status change goes through workflow.transition.

Which decision is open from which status, and to whom, is the table ``workflow.MOVES``
(permissions in ``loans.permissions``): a program officer reviews, asks for information,
recommends or rejects; an approver approves, sends back and disburses. The person who
recommended can never approve the same application (four eyes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans import permissions
from loans.applications.models import ApplicationEvent, ApplicationMessage, LoanApplication
from loans.applications.notifications import (
    notify_decision,
    notify_disbursed,
    notify_info_requested,
    notify_new_offer,
)
from loans.applications.workflow import MOVES, TransitionError, transition
from loans.products.models import LoanOffer, LoanProduct
from loans.products.offers import offer_cap_problem, offer_create, offer_limit_errors
from loans.programmes import selectors as programme_selectors
from loans.review.models import ApplicationScore, ReviewNote, ScoringCriterion
from loans.servicing import services as loans
from loans.servicing.models import Loan


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, for the officer."""


def _require(user: User, permission: str, application: LoanApplication | None = None) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("You do not have the permission for this decision."))
    if application is not None and permissions.is_own(user, application):
        # Staff never act on an application where they are the applicant (DOMAIN, conflicts of interest).
        raise PermissionDenied(_("You are the applicant of this application: another member of staff must handle it."))


def _require_move(user: User, name: str, application: LoanApplication) -> None:
    permission = MOVES[name].permission
    if permission is None:  # the applicant's or the system's move: no staff decision
        raise PermissionDenied(_("You do not have the permission for this decision."))
    _require(user, permission, application)


def current_offer(application: LoanApplication) -> LoanOffer:
    """The application's offer; one sent before offers were stored gets its product's terms of submission day."""
    if application.offer is not None:
        return application.offer
    day = timezone.localtime(application.submitted_at).date() if application.submitted_at else timezone.localdate()
    # A sent application always has a product, an amount and a term (submission refuses one without).
    offer = offer_create(
        product=cast(LoanProduct, application.product),
        amount=cast(int, application.amount),
        term_months=cast(int, application.term_months),
        grace_months=application.grace_months or 0,
        day=day,
        accepted=True,
    )
    LoanApplication.objects.filter(pk=application.pk).update(offer=offer)
    application.offer = offer
    return offer


def _decide(name, application, *, actor, seen_status=None, reason="", message="", before_save=None, notify=None):
    """Make the decision ``name`` of workflow.MOVES: from its sources (narrowed to ``seen_status``
    when given), to its status, through the one transition."""
    move = MOVES[name]
    try:
        return transition(
            application,
            move.to,
            actor=actor,
            reason=reason,
            message_to_applicant=message,
            expected_from=move.sources if seen_status is None else move.sources & {seen_status},
            before_save=before_save,
            notify=notify,
        )
    except TransitionError as error:
        raise ReviewError(str(error)) from error


def application_assign(*, application: LoanApplication, officer: User | None, by: User) -> None:
    _require(by, permissions.OFFICER, application)
    if officer is not None and not permissions.is_officer(officer):
        raise ReviewError(_("%(user)s is not a program officer.") % {"user": officer})
    if officer is not None and permissions.is_own(officer, application):
        raise ReviewError(_("%(user)s is the applicant and cannot be assigned.") % {"user": officer})
    with transaction.atomic():
        # Saved (not .update()) so the history table records it, and an event says who did it.
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        locked.assigned_to = officer
        locked.save(update_fields=["assigned_to", "updated_at"])
        ApplicationEvent.objects.create(
            application=locked,
            actor=by,
            from_status=locked.status,
            to_status=locked.status,
            reason=_("Assigned to %(officer)s") % {"officer": officer} if officer else _("Unassigned"),
        )


def application_request_info(*, application: LoanApplication, officer: User, message: str) -> LoanApplication:
    """in_review → info_requested, with the question the applicant must answer."""
    _require_move(officer, "request_info", application)
    if not message.strip():
        raise ReviewError(_("Write the question for the applicant."))

    def record(locked):
        locked.info_requested_at = timezone.now()
        ApplicationMessage.objects.create(application=locked, sender=officer, from_applicant=False, body=message)

    return _decide(
        "request_info",
        application,
        actor=officer,
        message=message,
        before_save=record,
        notify=lambda locked, event: notify_info_requested(locked.pk, event.pk),
    )


def application_recommend(
    *,
    application: LoanApplication,
    officer: User,
    note: str = "",
    amount: int | None = None,
    term_months: int | None = None,
) -> LoanApplication:
    """in_review → recommended, optionally with a lower amount or another term.

    Another amount or term is a new offer inside the limits of the frozen one; the applicant
    accepts it in the portal before anyone can approve.
    """
    _require_move(officer, "recommend", application)
    if amount is not None and application.amount is not None and amount > application.amount:
        raise ReviewError(_("The recommended amount cannot be higher than the amount requested."))

    def record(locked):
        offer = current_offer(locked)
        new_amount = amount or offer.amount
        new_term = term_months or offer.term_months
        problems = offer_limit_errors(offer, amount=new_amount, term_months=new_term)
        if problems:
            raise TransitionError(problems[0])
        locked.recommended_by = officer
        locked.recommended_amount = new_amount
        locked.recommended_term_months = new_term
        if (new_amount, new_term) != (offer.amount, offer.term_months):
            locked.offer = offer_create(
                product=offer.product,
                amount=new_amount,
                term_months=new_term,
                grace_months=offer.grace_months,
                day=timezone.localdate(),
                kind=LoanOffer.Kind.RECOMMENDATION,
                created_by=officer,
                replaces=offer,
            )

    def tell_applicant(locked, event):
        if locked.offer and locked.offer.is_pending:
            notify_new_offer(locked.pk)

    return _decide("recommend", application, actor=officer, reason=note, before_save=record, notify=tell_applicant)


def application_reject(
    *, application: LoanApplication, officer: User, reason_code: str, message: str, seen_status: str | None = None
):
    """Reject from the status the officer saw (``seen_status``, else the instance's own status).

    Rejection is open from several statuses, so "still rejectable" is not enough: when a colleague
    recommended in the meantime, the officer is told instead of overriding it unseen.
    """
    _require_move(officer, "reject", application)
    if not message.strip():
        raise ReviewError(_("Write the message the applicant will read."))

    def record(locked):
        locked.rejection_reason = reason_code

    return _decide(
        "reject",
        application,
        actor=officer,
        seen_status=seen_status or application.status,
        reason=reason_code,
        message=message,
        before_save=record,
        notify=lambda locked, event: notify_decision(locked.pk, event.pk),
    )


def application_approve(*, application: LoanApplication, approver: User, note: str = "") -> LoanApplication:
    """recommended → approved, only by an approver who is not the person who recommended (four eyes)."""
    _require_move(approver, "approve", application)

    def check_and_record(locked):
        if not permissions.four_eyes_ok(approver, locked):
            raise TransitionError(_("You recommended this application; a different person must approve it."))
        if current_offer(locked).accepted_at is None:
            raise TransitionError(
                _("The applicant has not accepted the new offer yet; it can be approved once they accept it.")
            )
        locked.approved_by = approver

    return _decide(
        "approve",
        application,
        actor=approver,
        reason=note,
        before_save=check_and_record,
        notify=lambda locked, event: notify_decision(locked.pk, event.pk),
    )


def application_send_back(*, application: LoanApplication, approver: User, reason: str) -> LoanApplication:
    """recommended → in_review: the approver disagrees and returns it to the officers, saying why."""
    _require_move(approver, "send_back", application)
    if not reason.strip():
        raise ReviewError(_("Write why you send the application back."))
    return _decide("send_back", application, actor=approver, reason=reason)


def application_override_ineligible(*, application: LoanApplication, officer: User, reason: str) -> LoanApplication:
    _require_move(officer, "override", application)
    if len(reason.strip()) < 20:
        raise ReviewError(_("Write the reason for overriding the automatic result (at least 20 characters)."))
    return _decide("override", application, actor=officer, reason=reason)


def application_reprice(
    *, application: LoanApplication, approver: User, annual_rate_pct: Decimal, default_rate_pct: Decimal | None = None
) -> LoanOffer:
    """A new offer at a lower rate (a lower usury cap came into force); the applicant must accept it."""
    _require(approver, permissions.APPROVER, application)
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status not in MOVES["disburse"].sources:
            raise ReviewError(_("Only an approved application waiting for disbursement can be re-priced."))
        offer = current_offer(locked)
        if annual_rate_pct <= 0 or annual_rate_pct >= offer.annual_rate_pct:
            raise ReviewError(_("The new rate must be above zero and below the current rate of the offer."))
        wanted_default = default_rate_pct if default_rate_pct is not None else annual_rate_pct
        new = offer_create(
            product=offer.product,
            amount=offer.amount,
            term_months=offer.term_months,
            grace_months=offer.grace_months,
            day=timezone.localdate(),
            kind=LoanOffer.Kind.REPRICING,
            created_by=approver,
            replaces=offer,
            annual_rate_pct=annual_rate_pct,
            default_rate_pct=min(offer.default_rate_pct, wanted_default),
        )
        problem = offer_cap_problem(new, timezone.localdate())
        if problem:
            raise ReviewError(problem)
        locked.offer = new
        locked.save(update_fields=["offer", "updated_at"])
        transaction.on_commit(lambda: notify_new_offer(locked.pk))
    return new


def application_disburse(
    *, application: LoanApplication, approver: User, disbursed_on: date, amount: int, bank_reference: str
) -> Loan:
    """approved → disbursed: create the loan and its schedule from the accepted offer, at the disbursement date.

    Refused when the offer's rate is above the usury cap in force on ``disbursed_on``, when the applicant has
    not accepted the current offer, or when the date is in the future (a past date is allowed: the bank may
    have paid out days earlier, and loans of earlier years are recorded after the fact).
    """
    _require_move(approver, "disburse", application)
    bank_reference = bank_reference.strip()  # stored stripped: the reuse check must compare the same text
    disbursement_check(
        application=application, disbursed_on=disbursed_on, amount=amount, bank_reference=bank_reference
    )
    created: dict[str, Loan] = {}

    def create_loan(locked):
        created["loan"] = disbursement_open(
            locked, amount=amount, disbursed_on=disbursed_on, bank_reference=bank_reference, disbursed_by=approver
        )

    _decide(
        "disburse",
        application,
        actor=approver,
        reason=_("Disbursed %(amount)s, reference %(reference)s") % {"amount": amount, "reference": bank_reference},
        before_save=create_loan,
        notify=lambda locked, event: notify_disbursed(locked.pk),
    )
    return created["loan"]


def disbursement_check(*, application: LoanApplication, disbursed_on: date, amount: int, bank_reference: str) -> None:
    """What any disbursement (the programme's or a partner lender's) must meet before the loan opens."""
    if not bank_reference:
        raise ReviewError(_("Enter the bank reference of the transfer."))
    if disbursed_on > timezone.localdate():
        raise ReviewError(_("The disbursement date cannot be in the future; record it on the day the bank pays."))
    approved_amount = application.recommended_amount or application.amount
    if amount <= 0 or (approved_amount and amount > approved_amount):
        raise ReviewError(_("The amount must be positive and at most the approved amount."))
    if Loan.objects.filter(bank_reference=bank_reference).exists():
        raise ReviewError(_("This bank reference was already used for another disbursement."))
    check_programme_completed(application)


def disbursement_open(
    locked: LoanApplication, *, amount: int, disbursed_on: date, bank_reference: str, disbursed_by: User
) -> Loan:
    """Open the loan from the accepted offer, inside the disbursement's transition (row locked): refused
    when the offer is not accepted, the amount exceeds it, or its rate is above the usury cap of the day."""
    offer = current_offer(locked)
    if offer.accepted_at is None:
        raise TransitionError(_("The applicant has not accepted the current offer yet."))
    if amount > offer.amount:
        raise TransitionError(_("The amount must be positive and at most the approved amount."))
    problem = offer_cap_problem(offer, disbursed_on)
    if problem:
        raise TransitionError(problem)
    try:
        return loans.loan_open(
            application=locked,
            offer=offer,
            amount=amount,
            disbursed_on=disbursed_on,
            bank_reference=bank_reference,
            disbursed_by=disbursed_by,
        )
    except loans.BankReferenceUsed as error:
        raise TransitionError(str(error)) from error


def check_programme_completed(application: LoanApplication) -> None:
    """Refuse the disbursement until the applicant completed a programme the product accepts (issue 11)."""
    problem = programme_selectors.completion_problem(product=application.product, user_id=application.applicant_id)
    if problem:
        raise ReviewError(problem)


def note_add(*, application: LoanApplication, author: User, body: str) -> ReviewNote:
    _require(author, permissions.NOTES, application)
    return ReviewNote.objects.create(application=application, author=author, body=body)


def scores_save(*, application: LoanApplication, officer: User, scores: dict[int, int]) -> None:
    _require(officer, permissions.OFFICER, application)
    criteria = {c.pk: c for c in ScoringCriterion.objects.filter(pk__in=scores)}
    with transaction.atomic():
        for criterion_id, score in scores.items():
            if criterion_id not in criteria or not 0 <= score <= 5:
                raise ReviewError(_("Scores go from 0 to 5."))
            ApplicationScore.objects.update_or_create(
                application=application,
                criterion=criteria[criterion_id],
                defaults={"score": score, "scored_by": officer, "scored_at": timezone.now()},
            )
