"""The officer's decisions (issue 5). Every status change goes through workflow.transition.

Roles: a program officer (loans.review_application) reviews, asks for information,
recommends or rejects; an approver (loans.approve_application) approves and disburses.
The person who recommended can never approve the same application (four eyes).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans.applications import selectors
from loans.applications.models import LoanApplication
from loans.applications.workflow import TransitionError, transition
from loans.choices import ApplicationStatus as S
from loans.review.models import ApplicationMessage, ApplicationScore, ReviewNote, ScoringCriterion
from loans.servicing.models import FollowUpVisit, Loan, LoanInstalment

OFFICER_PERMISSION = "loans.review_application"
APPROVER_PERMISSION = "loans.approve_application"
NOTE_PERMISSION = "loans.add_reviewnote"  # officers and approvers (migration 0006_roles)
FOLLOW_UP_MONTHS = (3, 6, 12)


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, for the officer."""


def _require(user: User, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("You do not have the permission for this decision."))


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
    _require(by, OFFICER_PERMISSION)
    if officer is not None and not officer.has_perm(OFFICER_PERMISSION):
        raise ReviewError(_("%(user)s is not a program officer.") % {"user": officer})
    LoanApplication.objects.filter(pk=application.pk).update(assigned_to=officer, updated_at=timezone.now())


def application_request_info(*, application: LoanApplication, officer: User, message: str) -> LoanApplication:
    """in_review → info_requested, with the question the applicant must answer."""
    from loans.applications.notifications import notify_info_requested

    _require(officer, OFFICER_PERMISSION)
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
    """in_review → recommended, optionally with a lower amount or another term."""
    _require(officer, OFFICER_PERMISSION)
    if amount is not None and application.amount is not None and amount > application.amount:
        raise ReviewError(_("The recommended amount cannot be higher than the amount requested."))
    if (
        application.product
        and term_months is not None
        and not (application.product.min_term_months <= term_months <= application.product.max_term_months)
    ):
        raise ReviewError(_("The term is outside the product's range."))

    def record(locked):
        locked.recommended_by = officer
        locked.recommended_amount = amount or locked.amount
        locked.recommended_term_months = term_months or locked.term_months

    return _move(
        application, S.RECOMMENDED, actor=officer, expected_from={S.IN_REVIEW}, reason=note, before_save=record
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

    _require(officer, OFFICER_PERMISSION)
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

    _require(approver, APPROVER_PERMISSION)

    def check_and_record(locked):
        if locked.recommended_by_id == approver.pk:
            raise TransitionError(_("You recommended this application; a different person must approve it."))
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
    _require(approver, APPROVER_PERMISSION)
    if not reason.strip():
        raise ReviewError(_("Write why you send the application back."))
    return _move(application, S.IN_REVIEW, actor=approver, expected_from={S.RECOMMENDED}, reason=reason)


def application_override_ineligible(*, application: LoanApplication, officer: User, reason: str) -> LoanApplication:
    _require(officer, OFFICER_PERMISSION)
    if len(reason.strip()) < 20:
        raise ReviewError(_("Write the reason for overriding the automatic result (at least 20 characters)."))
    return _move(application, S.IN_REVIEW, actor=officer, expected_from={S.INELIGIBLE}, reason=reason)


def application_disburse(
    *, application: LoanApplication, approver: User, disbursed_on: date, amount: int, bank_reference: str
) -> Loan:
    """approved → disbursed: create the loan and its schedule, recomputed at the disbursement date."""
    from loans.applications.notifications import notify_disbursed

    _require(approver, APPROVER_PERMISSION)
    bank_reference = bank_reference.strip()  # stored stripped: the reuse check must compare the same text
    if not bank_reference:
        raise ReviewError(_("Enter the bank reference of the transfer."))
    approved_amount = application.recommended_amount or application.amount
    if amount <= 0 or (approved_amount and amount > approved_amount):
        raise ReviewError(_("The amount must be positive and at most the approved amount."))
    if Loan.objects.filter(bank_reference=bank_reference).exists():
        raise ReviewError(_("This bank reference was already used for another disbursement."))
    created: dict[str, Loan] = {}

    def create_loan(locked):
        term = locked.recommended_term_months or locked.term_months
        grace = min(locked.grace_months or 0, term - 1)
        schedule = selectors.schedule_for(
            locked.product, amount=amount, term_months=term, grace_months=grace, start=disbursed_on
        )
        try:
            # Its own savepoint: a disbursement of another application with the same reference,
            # committed a moment ago, surfaces as the officer's message instead of a server error.
            with transaction.atomic():
                loan = Loan.objects.create(
                    application=locked,
                    principal=amount,
                    annual_rate_pct=locked.product.annual_rate_pct,
                    term_months=term,
                    grace_months=grace,
                    disbursed_on=disbursed_on,
                    bank_reference=bank_reference,
                    disbursed_by=approver,
                    rebate_amount=schedule.on_time_rebate,
                )
        except IntegrityError as error:
            raise TransitionError(_("This bank reference was already used for another disbursement.")) from error
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
    _require(author, NOTE_PERMISSION)
    return ReviewNote.objects.create(application=application, author=author, body=body)


def scores_save(*, application: LoanApplication, officer: User, scores: dict[int, int]) -> None:
    _require(officer, OFFICER_PERMISSION)
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
