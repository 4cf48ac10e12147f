"""The statuses of a referral, the moves between them, and the one function that makes a move.

``MOVES`` is the one table of what may happen to a referral (like ``applications/workflow.MOVES``
for an application): for every named step, the statuses it starts from and the status it leads
to. ``referral_transition`` locks the referral, checks the step against the table, writes,
records the ``ReferralEvent`` and queues the applicant's message and the lender's webhook on
commit. The services in ``services.py`` name the step they take; nobody assigns ``status``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import User
from loans.lenders import tasks, webhooks
from loans.lenders.models import Intermediary, Referral, ReferralEvent
from loans.lenders.notifications import notify_referral
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


@dataclass(frozen=True)
class Move:
    to: str
    sources: frozenset[str]


MOVES: dict[str, Move] = {
    # The programme refers an approved application (the referral is created in this status).
    "refer": Move(R.REFERRED, frozenset({""})),
    # The lender's steps.
    "accept": Move(R.ACCEPTED, frozenset({R.REFERRED})),
    # A decline returns the application to the programme, which may refer it elsewhere.
    "decline": Move(R.DECLINED, frozenset({R.REFERRED, R.ACCEPTED})),
    "study_approve": Move(R.STUDY_APPROVED, frozenset({R.ACCEPTED})),
    "study_reject": Move(R.STUDY_REJECTED, frozenset({R.ACCEPTED})),
    "disburse": Move(R.DISBURSED, frozenset({R.STUDY_APPROVED})),
    # The programme's side: the application ended before disbursement, so the lender's work stops.
    "close": Move(R.CLOSED, frozenset({R.REFERRED, R.ACCEPTED, R.STUDY_APPROVED})),
}
# The steps whose lender hears of them by webhook (the others are the lender's own).
STEP_EVENTS: dict[str, str] = {R.REFERRED: "referral.created"}


def referral_locked(referral_id: int, intermediary: Intermediary, sources: frozenset[str]) -> Referral:
    """The lender's referral, locked; 404 for another lender's, 409 when it is not in ``sources``."""
    # Lock the row: the status check and the write must see the same state (a replayed or
    # concurrent API call finds the step already taken).
    referral = (
        Referral.objects.select_for_update()
        .select_related("application", "intermediary")
        .filter(pk=referral_id, intermediary=intermediary)
        .first()
    )
    if referral is None:
        raise NotFound()
    if referral.status not in sources:
        raise LenderError(
            _("This referral is “%(status)s”; this step is not possible now.") % {"status": R(referral.status).label},
            code="conflict",
            status=409,
        )
    return referral


def referral_transition(
    referral: Referral | int,
    step: str,
    *,
    intermediary: Intermediary,
    actor: User | None,
    via: str,
    detail: str = "",
    before_save: Callable[[Referral], None] | None = None,
) -> Referral:
    """Lock the referral, check ``step`` against MOVES, write, record the event, queue side effects on commit.

    ``before_save`` runs on the locked row before the write (it may set other fields, or raise
    to refuse the step with nothing applied).
    """
    move = MOVES[step]
    pk = referral.pk if isinstance(referral, Referral) else referral
    with transaction.atomic():
        locked = referral_locked(pk, intermediary, move.sources)
        before = locked.status
        if before_save is not None:
            before_save(locked)
        locked.status = move.to
        locked.save()
        referral_recorded(locked, before, actor=actor, via=via, detail=detail)
    return locked


def referral_recorded(referral: Referral, from_status: str, *, actor: User | None, via: str, detail: str = "") -> None:
    """The event of a step the referral just took, and its messages once the transaction commits."""
    ReferralEvent.objects.create(
        referral=referral, from_status=from_status, to_status=referral.status, actor=actor, via=via, detail=detail
    )
    step = referral.status
    if step != R.CLOSED:  # the applicant ended it and has been told so by the application's own message
        transaction.on_commit(lambda: notify_referral(referral.pk, step))
    if step in STEP_EVENTS:
        transaction.on_commit(lambda: webhook_queue(referral.pk, STEP_EVENTS[step]))


def webhook_queue(referral_id: int, event: str, extra: dict[str, Any] | None = None) -> int | None:
    """Record the delivery for the referral's lender (if it has a URL) and queue it; its id."""
    delivery = webhooks.send_event(referral_id, event, extra)
    if delivery is None:
        return None
    enqueue(tasks.deliver_webhook, delivery.pk)
    return delivery.pk
