"""The officer's decisions (issue 5). Every status change goes through workflow.transition.

Roles: a program officer (loans.review_application) reviews, asks for information,
recommends or rejects; an approver (loans.approve_application) approves and disburses.
The person who recommended can never approve the same application (four eyes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans.applications import selectors
from loans.applications.models import ApplicationEvent, LoanApplication
from loans.applications.workflow import TransitionError, transition
from loans.choices import ApplicationStatus as S
from loans.products.models import LoanOffer
from loans.products.offers import offer_cap_problem, offer_create, offer_limit_errors
from loans.review.models import ApplicationMessage, ApplicationScore, ReviewNote, ScoringCriterion
from loans.servicing.ledger import loan_open
from loans.servicing.models import FollowUpVisit, Loan

OFFICER_PERMISSION = "loans.review_application"
APPROVER_PERMISSION = "loans.approve_application"
NOTE_PERMISSION = "loans.add_reviewnote"  # officers and approvers (migration 0006_roles)
FOLLOW_UP_MONTHS = (3, 6, 12)


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, for the officer."""


def _require(user: User, permission: str, application: LoanApplication | None = None) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("You do not have the permission for this decision."))
    if application is not None:
        _not_own(application, user)


def _not_own(application: LoanApplication, user: User | None) -> None:
    """Staff never act on an application where they are the applicant (DOMAIN, conflicts of interest)."""
    if user is not None and application.applicant_id == user.pk:
        raise PermissionDenied(_("You are the applicant of this application: another member of staff must handle it."))


def has_recommended(application: LoanApplication, user: User) -> bool:
    """Whoever recommended at any time (even before a send-back) cannot approve."""
    return (
        application.recommended_by_id == user.pk
        or ApplicationEvent.objects.filter(application=application, to_status=S.RECOMMENDED, actor=user).exists()
    )


def current_offer(application: LoanApplication) -> LoanOffer:
    """The application's offer; one sent before offers were stored gets its product's terms of submission day."""
    if application.offer_id is not None:
        return application.offer
    day = timezone.localtime(application.submitted_at).date() if application.submitted_at else timezone.localdate()
    offer = offer_create(
        product=application.product,
        amount=application.amount,
        term_months=application.term_months,
        grace_months=application.grace_months or 0,
        day=day,
        accepted=True,
    )
    LoanApplication.objects.filter(pk=application.pk).update(offer=offer)
    application.offer = offer
    return offer


def _move(application, to_status, *, actor, expected_from, reason="", message="", before_save=None, on_commit=None):
    try:
        return transition(
            application,
            to_status,
            actor=actor,
            reason=reason,
            message_to_applicant=message,
            expected_from=expected_from,
            before_save=before_save,
            on_commit=on_commit,
        )
    except TransitionError as error:
        raise ReviewError(str(error)) from error


def application_assign(*, application: LoanApplication, officer: User | None, by: User) -> None:
    _require(by, OFFICER_PERMISSION, application)
    if officer is not None and not officer.has_perm(OFFICER_PERMISSION):
        raise ReviewError(_("%(user)s is not a program officer.") % {"user": officer})
    if officer is not None and officer.pk == application.applicant_id:
        raise ReviewError(_("%(user)s is the applicant and cannot be assigned.") % {"user": officer})
    LoanApplication.objects.filter(pk=application.pk).update(assigned_to=officer, updated_at=timezone.now())


def application_request_info(*, application: LoanApplication, officer: User, message: str) -> LoanApplication:
    """in_review → info_requested, with the question the applicant must answer."""
    from loans.applications.notifications import notify_info_requested

    _require(officer, OFFICER_PERMISSION, application)
    if not message.strip():
        raise ReviewError(_("Write the question for the applicant."))

    def record(locked):
        locked.info_requested_at = timezone.now()
        ApplicationMessage.objects.create(application=locked, sender=officer, from_applicant=False, body=message)

    return _move(
        application,
        S.INFO_REQUESTED,
        actor=officer,
        expected_from={S.IN_REVIEW},
        message=message,
        before_save=record,
        on_commit=lambda locked: notify_info_requested(locked.pk),
    )


def application_answer_info(*, application: LoanApplication, user: User, message: str) -> LoanApplication:
    """The applicant answers (documents are uploaded apart) → back to in_review."""
    if application.applicant_id != user.pk:
        raise ReviewError(_("Only the applicant can answer."))
    if not message.strip():
        raise ReviewError(_("Write your answer."))

    def record(locked):
        ApplicationMessage.objects.create(application=locked, sender=user, from_applicant=True, body=message)

    return _move(
        application,
        S.IN_REVIEW,
        actor=user,
        expected_from={S.INFO_REQUESTED},
        reason=_("Applicant answered"),
        before_save=record,
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
    _require(officer, OFFICER_PERMISSION, application)
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

    def tell_applicant(locked):
        if locked.offer and locked.offer.is_pending:
            from loans.applications.notifications import notify_new_offer

            notify_new_offer(locked.pk)

    return _move(
        application,
        S.RECOMMENDED,
        actor=officer,
        expected_from={S.IN_REVIEW},
        reason=note,
        before_save=record,
        on_commit=tell_applicant,
    )


REJECTABLE = frozenset({S.IN_REVIEW, S.INFO_REQUESTED, S.RECOMMENDED})


def application_reject(
    *, application: LoanApplication, officer: User, reason_code: str, message: str, seen_status: str | None = None
):
    """Reject from the status the officer saw (``seen_status``, else the instance's own status).

    Rejection is open from several statuses, so "still rejectable" is not enough: when a colleague
    recommended in the meantime, the officer is told instead of overriding it unseen.
    """
    from loans.applications.notifications import notify_decision

    _require(officer, OFFICER_PERMISSION, application)
    if not message.strip():
        raise ReviewError(_("Write the message the applicant will read."))

    def record(locked):
        locked.rejection_reason = reason_code

    return _move(
        application,
        S.REJECTED,
        actor=officer,
        expected_from={seen_status or application.status} & REJECTABLE,
        reason=reason_code,
        message=message,
        before_save=record,
        on_commit=lambda locked: notify_decision(locked.pk),
    )


def application_approve(*, application: LoanApplication, approver: User, note: str = "") -> LoanApplication:
    """recommended → approved, only by an approver who is not the person who recommended (four eyes)."""
    from loans.applications.notifications import notify_decision

    _require(approver, APPROVER_PERMISSION, application)

    def check_and_record(locked):
        if has_recommended(locked, approver):
            raise TransitionError(_("You recommended this application; a different person must approve it."))
        offer = current_offer(locked)
        if offer.accepted_at is None:
            raise TransitionError(
                _("The applicant has not accepted the new offer yet; it can be approved once they accept it.")
            )
        locked.approved_by = approver

    return _move(
        application,
        S.APPROVED,
        actor=approver,
        expected_from={S.RECOMMENDED},
        reason=note,
        before_save=check_and_record,
        on_commit=lambda locked: notify_decision(locked.pk),
    )


def application_send_back(*, application: LoanApplication, approver: User, reason: str) -> LoanApplication:
    """recommended → in_review: the approver disagrees and returns it to the officers, saying why."""
    _require(approver, APPROVER_PERMISSION, application)
    if not reason.strip():
        raise ReviewError(_("Write why you send the application back."))
    return _move(application, S.IN_REVIEW, actor=approver, expected_from={S.RECOMMENDED}, reason=reason)


def application_override_ineligible(*, application: LoanApplication, officer: User, reason: str) -> LoanApplication:
    _require(officer, OFFICER_PERMISSION, application)
    if len(reason.strip()) < 20:
        raise ReviewError(_("Write the reason for overriding the automatic result (at least 20 characters)."))
    return _move(application, S.IN_REVIEW, actor=officer, expected_from={S.INELIGIBLE}, reason=reason)


def application_reprice(
    *, application: LoanApplication, approver: User, annual_rate_pct: Decimal, default_rate_pct: Decimal | None = None
) -> LoanOffer:
    """A new offer at a lower rate (a lower usury cap came into force); the applicant must accept it."""
    _require(approver, APPROVER_PERMISSION, application)
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.APPROVED:
            raise ReviewError(_("Only an approved application waiting for disbursement can be re-priced."))
        offer = current_offer(locked)
        if annual_rate_pct <= 0 or annual_rate_pct >= offer.annual_rate_pct:
            raise ReviewError(_("The new rate must be above zero and below the current rate of the offer."))
        new_default = min(
            offer.default_rate_pct, default_rate_pct if default_rate_pct is not None else annual_rate_pct
        )
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
            default_rate_pct=new_default,
        )
        problem = offer_cap_problem(new, timezone.localdate())
        if problem:
            raise ReviewError(problem)
        locked.offer = new
        locked.save(update_fields=["offer", "updated_at"])
        from loans.applications.notifications import notify_new_offer

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
    from loans.applications.notifications import notify_disbursed

    _require(approver, APPROVER_PERMISSION, application)
    bank_reference = bank_reference.strip()  # stored stripped: the reuse check must compare the same text
    if not bank_reference:
        raise ReviewError(_("Enter the bank reference of the transfer."))
    if disbursed_on > timezone.localdate():
        raise ReviewError(_("The disbursement date cannot be in the future; record it on the day the bank pays."))
    approved_amount = application.recommended_amount or application.amount
    if amount <= 0 or (approved_amount and amount > approved_amount):
        raise ReviewError(_("The amount must be positive and at most the approved amount."))
    if Loan.objects.filter(bank_reference=bank_reference).exists():
        raise ReviewError(_("This bank reference was already used for another disbursement."))
    created: dict[str, Loan] = {}

    def create_loan(locked):
        offer = current_offer(locked)
        if offer.accepted_at is None:
            raise TransitionError(_("The applicant has not accepted the current offer yet."))
        if amount > offer.amount:
            raise TransitionError(_("The amount must be positive and at most the approved amount."))
        problem = offer_cap_problem(offer, disbursed_on)
        if problem:
            raise TransitionError(problem)
        try:
            # Its own savepoint: a disbursement of another application with the same reference,
            # committed a moment ago, surfaces as the officer's message instead of a server error.
            with transaction.atomic():
                loan = loan_open(
                    application=locked,
                    offer=offer,
                    amount=amount,
                    disbursed_on=disbursed_on,
                    bank_reference=bank_reference,
                    disbursed_by=approver,
                )
        except IntegrityError as error:
            raise TransitionError(_("This bank reference was already used for another disbursement.")) from error
        FollowUpVisit.objects.bulk_create(
            FollowUpVisit(loan=loan, months_after=months, due_on=selectors.add_months(disbursed_on, months))
            for months in FOLLOW_UP_MONTHS
        )
        created["loan"] = loan

    _move(
        application,
        S.DISBURSED,
        actor=approver,
        expected_from={S.APPROVED},
        reason=_("Disbursed %(amount)s, reference %(reference)s") % {"amount": amount, "reference": bank_reference},
        before_save=create_loan,
        on_commit=lambda locked: notify_disbursed(locked.pk),
    )
    return created["loan"]


def note_add(*, application: LoanApplication, author: User, body: str) -> ReviewNote:
    _require(author, NOTE_PERMISSION, application)
    return ReviewNote.objects.create(application=application, author=author, body=body)


def scores_save(*, application: LoanApplication, officer: User, scores: dict[int, int]) -> None:
    _require(officer, OFFICER_PERMISSION, application)
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
