"""The one function that changes an application's status (STYLE.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loans.applications.models import ApplicationEvent, LoanApplication
from loans.choices import ApplicationStatus as S
from portal import changes

# Every allowed move. Role checks (officer, approver, four eyes) sit in the callers that
# know the actor; this table is the one place that says which moves exist at all.
ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.IN_REVIEW, S.INELIGIBLE, S.WITHDRAWN},
    S.IN_REVIEW: {S.INFO_REQUESTED, S.RECOMMENDED, S.REJECTED, S.WITHDRAWN, S.INELIGIBLE},
    S.INFO_REQUESTED: {S.IN_REVIEW, S.WITHDRAWN, S.REJECTED},
    S.RECOMMENDED: {S.APPROVED, S.REJECTED, S.IN_REVIEW, S.WITHDRAWN},
    S.APPROVED: {S.DISBURSED},
    S.INELIGIBLE: {S.IN_REVIEW},  # an officer's override, with a written reason
    S.DISBURSED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}
DECISIONS = {S.APPROVED, S.REJECTED, S.INELIGIBLE}


class TransitionError(Exception):
    """A move that is not allowed now; the message is meant for the person who tried it."""


def transition(
    application: LoanApplication | int,
    to_status: str,
    *,
    actor=None,
    reason: str = "",
    message_to_applicant: str = "",
    expected_from: set[str] | None = None,
    before_save: Callable[[LoanApplication], None] | None = None,
    on_commit: Callable[[LoanApplication], None] | None = None,
) -> LoanApplication:
    """Lock the row, check the move, write, record the event, queue side effects on commit.

    ``expected_from`` narrows the allowed origins for this caller (two officers acting at once:
    the second finds the status moved and gets a clear error instead of a double write).
    """
    pk = application.pk if isinstance(application, LoanApplication) else application
    with transaction.atomic():
        # Lock the row: the status check and the write must see the same state.
        locked = LoanApplication.objects.select_for_update().get(pk=pk)
        current = locked.status
        if expected_from is not None and current not in expected_from:
            raise TransitionError(
                _("This application is now “%(status)s”; someone else may have acted on it. Reload the page.")
                % {"status": S(current).label}
            )
        if to_status not in ALLOWED[current]:
            raise TransitionError(
                _("An application that is “%(current)s” cannot become “%(target)s”.")
                % {"current": S(current).label, "target": S(to_status).label}
            )
        with changes.tracking(applications=[pk]):  # keeps the report and statistics cells current
            locked.status = to_status
            if to_status in DECISIONS:
                locked.decided_at = timezone.now()
            if before_save is not None:
                before_save(locked)
            locked.save()
        ApplicationEvent.objects.create(
            application=locked,
            actor=actor,
            from_status=current,
            to_status=to_status,
            reason=reason,
            message_to_applicant=message_to_applicant,
        )
        if on_commit is not None:
            transaction.on_commit(lambda: on_commit(locked))
    if isinstance(application, LoanApplication):
        application.refresh_from_db()
    return locked
