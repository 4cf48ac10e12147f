"""The officer's decisions (issue 5). Every status change goes through workflow.transition.

Which decision is open from which status, and to whom, is the table ``workflow.MOVES``
(permissions in ``loans.permissions``): a program officer reviews, asks for information,
recommends or rejects; an approver approves, sends back and disburses. The person who
recommended can never approve the same application (four eyes).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans import permissions
from loans.applications.models import ApplicationEvent, ApplicationMessage, LoanApplication
from loans.applications.notifications import notify_decision, notify_disbursed, notify_info_requested
from loans.applications.workflow import MOVES, TransitionError, transition
from loans.programmes import selectors as programme_selectors
from loans.review.models import ApplicationScore, ReviewNote, ScoringCriterion
from loans.servicing import services as loans
from loans.servicing.models import Loan


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, for the officer."""


def _require(user: User, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("You do not have the permission for this decision."))


def _require_move(user: User, name: str) -> None:
    permission = MOVES[name].permission
    if permission is None:  # the applicant's or the system's move: no staff decision
        raise PermissionDenied(_("You do not have the permission for this decision."))
    _require(user, permission)


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
    _require(by, permissions.OFFICER)
    if officer is not None and not permissions.is_officer(officer):
        raise ReviewError(_("%(user)s is not a program officer.") % {"user": officer})
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
    _require_move(officer, "request_info")
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
    """in_review → recommended, optionally with a lower amount or another term."""
    _require_move(officer, "recommend")
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

    return _decide("recommend", application, actor=officer, reason=note, before_save=record)


def application_reject(
    *, application: LoanApplication, officer: User, reason_code: str, message: str, seen_status: str | None = None
):
    """Reject from the status the officer saw (``seen_status``, else the instance's own status).

    Rejection is open from several statuses, so "still rejectable" is not enough: when a colleague
    recommended in the meantime, the officer is told instead of overriding it unseen.
    """
    _require_move(officer, "reject")
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
    _require_move(approver, "approve")

    def check_and_record(locked):
        if not permissions.four_eyes_ok(approver, locked):
            raise TransitionError(_("You recommended this application; a different person must approve it."))
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
    _require_move(approver, "send_back")
    if not reason.strip():
        raise ReviewError(_("Write why you send the application back."))
    return _decide("send_back", application, actor=approver, reason=reason)


def application_override_ineligible(*, application: LoanApplication, officer: User, reason: str) -> LoanApplication:
    _require_move(officer, "override")
    if len(reason.strip()) < 20:
        raise ReviewError(_("Write the reason for overriding the automatic result (at least 20 characters)."))
    return _decide("override", application, actor=officer, reason=reason)


def application_disburse(
    *, application: LoanApplication, approver: User, disbursed_on: date, amount: int, bank_reference: str
) -> Loan:
    """approved → disbursed: create the loan and its schedule, recomputed at the disbursement date."""
    _require_move(approver, "disburse")
    bank_reference = bank_reference.strip()  # stored stripped: the reuse check must compare the same text
    if not bank_reference:
        raise ReviewError(_("Enter the bank reference of the transfer."))
    approved_amount = application.recommended_amount or application.amount
    if amount <= 0 or (approved_amount and amount > approved_amount):
        raise ReviewError(_("The amount must be positive and at most the approved amount."))
    if Loan.objects.filter(bank_reference=bank_reference).exists():
        raise ReviewError(_("This bank reference was already used for another disbursement."))
    check_programme_completed(application)
    created: dict[str, Loan] = {}

    def create_loan(locked):
        term = locked.recommended_term_months or locked.term_months
        try:
            created["loan"] = loans.loan_open(
                application=locked,
                amount=amount,
                term_months=term,
                grace_months=min(locked.grace_months or 0, term - 1),
                disbursed_on=disbursed_on,
                bank_reference=bank_reference,
                disbursed_by=approver,
            )
        except loans.BankReferenceUsed as error:
            raise TransitionError(str(error)) from error

    _decide(
        "disburse",
        application,
        actor=approver,
        reason=_("Disbursed %(amount)s, reference %(reference)s") % {"amount": amount, "reference": bank_reference},
        before_save=create_loan,
        notify=lambda locked, event: notify_disbursed(locked.pk),
    )
    return created["loan"]


def check_programme_completed(application: LoanApplication) -> None:
    """Refuse the disbursement until the applicant completed a programme the product accepts (issue 11)."""
    problem = programme_selectors.completion_problem(product=application.product, user_id=application.applicant_id)
    if problem:
        raise ReviewError(problem)


def note_add(*, application: LoanApplication, author: User, body: str) -> ReviewNote:
    _require(author, permissions.NOTES)
    return ReviewNote.objects.create(application=application, author=author, body=body)


def scores_save(*, application: LoanApplication, officer: User, scores: dict[int, int]) -> None:
    _require(officer, permissions.OFFICER)
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
