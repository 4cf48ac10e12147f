"""The statuses of an application, the moves between them, and the one function that makes a move.

``MOVES`` is the one table of what may happen to an application: for every named move, the
statuses it starts from, the status it leads to and, for the staff's decisions, the permission
it needs. ``transition`` checks every change against it; the services name the move they make
(``expected_from=MOVES["recommend"].sources``); the admin offers exactly the decisions whose
sources hold the application's status and whose permission the user has.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loans import permissions
from loans.applications import hooks
from loans.applications.models import ApplicationEvent, LoanApplication
from loans.choices import ApplicationStatus as S
from portal import changes


@dataclass(frozen=True)
class Move:
    to: str
    sources: frozenset[str]
    # The permission a staff decision needs; None for the applicant's and the system's moves
    # (their services check who acts: the owner, or the eligibility check).
    permission: str | None = None
    # Four eyes: whoever recommended the application may not make this move.
    four_eyes: bool = False


MOVES: dict[str, Move] = {
    # The applicant.
    "submit": Move(S.SUBMITTED, frozenset({S.DRAFT})),
    "withdraw": Move(S.WITHDRAWN, frozenset(S.withdrawable())),
    "answer": Move(S.IN_REVIEW, frozenset({S.INFO_REQUESTED})),
    # The eligibility check of a submitted application.
    "eligible": Move(S.IN_REVIEW, frozenset({S.SUBMITTED})),
    # From in_review too, as the table always allowed (no service takes that path today).
    "ineligible": Move(S.INELIGIBLE, frozenset({S.SUBMITTED, S.IN_REVIEW})),
    # Staff decisions, in the order the admin offers them.
    "request_info": Move(S.INFO_REQUESTED, frozenset({S.IN_REVIEW}), permissions.OFFICER),
    "recommend": Move(S.RECOMMENDED, frozenset({S.IN_REVIEW}), permissions.OFFICER),
    "reject": Move(S.REJECTED, frozenset({S.IN_REVIEW, S.INFO_REQUESTED, S.RECOMMENDED}), permissions.OFFICER),
    "approve": Move(S.APPROVED, frozenset({S.RECOMMENDED}), permissions.APPROVER, four_eyes=True),
    "send_back": Move(S.IN_REVIEW, frozenset({S.RECOMMENDED}), permissions.APPROVER),
    "override": Move(S.IN_REVIEW, frozenset({S.INELIGIBLE}), permissions.OFFICER),
    "disburse": Move(S.DISBURSED, frozenset({S.APPROVED}), permissions.APPROVER),
    # An approval that lapsed (the daily job) or whose offer the applicant declined.
    "lapse": Move(S.CANCELLED, frozenset({S.APPROVED})),
    "decline": Move(S.CANCELLED, frozenset({S.APPROVED})),
    # A partner lender (issue 16) reports the disbursement of a referral it studied; its service
    # (loans.lenders.services) checks that the referral is the lender's and the terms are within the offer.
    "lender_disburse": Move(S.DISBURSED, frozenset({S.APPROVED})),
}
DECISIONS: tuple[str, ...] = tuple(name for name, move in MOVES.items() if move.permission)

# Derived from MOVES: from each status, the statuses it may become.
ALLOWED: dict[str, frozenset[str]] = {
    status: frozenset(move.to for move in MOVES.values() if status in move.sources) for status in S.values
}
# A move to one of these records when the application was decided.
DECIDED = frozenset({S.APPROVED, S.REJECTED, S.INELIGIBLE})


def decision_open(name: str, application: LoanApplication, user) -> bool:
    """Whether ``user`` may take the staff decision ``name`` on the application as it is now."""
    move = MOVES[name]
    if move.permission is None or application.status not in move.sources or not user.has_perm(move.permission):
        return False
    return not move.four_eyes or permissions.four_eyes_ok(user, application)


class TransitionError(Exception):
    """A move that is not allowed now; the message is meant for the person who tried it."""


def transition(
    application: LoanApplication | int,
    to_status: str,
    *,
    actor=None,
    reason: str = "",
    message_to_applicant: str = "",
    expected_from: Set[str] | None = None,
    before_save: Callable[[LoanApplication], None] | None = None,
    notify: Callable[[LoanApplication, ApplicationEvent], None] | None = None,
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
            if to_status in DECIDED:
                locked.decided_at = timezone.now()
            if before_save is not None:
                before_save(locked)
            locked.save()
        event = ApplicationEvent.objects.create(
            application=locked,
            actor=actor,
            from_status=current,
            to_status=to_status,
            reason=reason,
            message_to_applicant=message_to_applicant,
        )
        if notify is not None:
            # The message is a row of this same transaction (delivered after commit, swept if
            # the queueing fails): a move and what the applicant is told of it stand or fall together.
            notify(locked, event)
        if on_commit is not None:
            transaction.on_commit(lambda: on_commit(locked))
        hooks.moved(locked.pk, current, to_status)  # other rooms' callbacks, after the commit
    if isinstance(application, LoanApplication):
        application.refresh_from_db()
    return locked
