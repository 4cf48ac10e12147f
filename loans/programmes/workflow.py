"""The statuses of an enrolment, the moves between them, and the one function that makes a move.

``MOVES`` is the one table of what may happen to an enrolment once it exists (a new enrolment
starts ``enrolled`` or ``waiting``, whichever the cohort's places allow:
``services.enrolment_create``). ``enrolment_transition`` checks every change against it; the
services name the move they make. Like ``loans.applications.workflow``.

Enrolments keep no event table nor history: what happened is on the row (``created_at``,
``completed_at`` and ``completed_by``, the certificate's dates) and in the notifications sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from loans.programmes import errors
from loans.programmes.errors import ProgrammeError
from loans.programmes.models import Enrolment
from loans.programmes.models import EnrolmentStatus as S


@dataclass(frozen=True)
class Move:
    to: str
    sources: frozenset[str]
    # What the person who tried is told when the enrolment is in no status this move starts from;
    # None: the general "cannot become" message.
    refusal: Promise | None = None


MOVES: dict[str, Move] = {
    # The returnee leaves the cohort or its waiting list.
    "withdraw": Move(S.WITHDRAWN, frozenset({S.ENROLLED, S.WAITING}), errors.NOT_WITHDRAWABLE),
    # A place freed: the first on the waiting list takes it.
    "offer_place": Move(S.ENROLLED, frozenset({S.WAITING})),
    # The operator records the completion (directly, or by verifying the returnee's certificate).
    "complete": Move(S.COMPLETED, frozenset({S.ENROLLED}), errors.NOT_ENROLLED),
}

# Derived from MOVES: from each status, the statuses it may become.
ALLOWED: dict[str, frozenset[str]] = {
    status: frozenset(move.to for move in MOVES.values() if status in move.sources) for status in S.values
}


def enrolment_transition(
    enrolment: Enrolment | int,
    move: str,
    *,
    changes: Mapping[str, Any] | None = None,
    notify: Callable[[Enrolment], None] | None = None,
    on_commit: Callable[[Enrolment], None] | None = None,
) -> Enrolment:
    """Lock the row, check the move against MOVES, write, queue what people are told.

    ``changes`` are further fields written with the status (a completion's date and author).
    ``notify`` composes the message inside the transaction: ``applicants.notify`` records it
    as a row of this transaction and delivers it on commit, so a rolled-back move tells nobody.
    ``on_commit`` runs after the commit, for anything else.
    """
    pk = enrolment.pk if isinstance(enrolment, Enrolment) else enrolment
    step = MOVES[move]
    with transaction.atomic():
        # Lock the row: the status check and the write must see the same state. ``of``: only
        # the enrolment, not the cohort and programme read alongside for the notifications.
        locked = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("cohort__programme", "returnee", "mentor")
            .get(pk=pk)
        )
        current = locked.status
        if current not in step.sources:
            raise ProgrammeError(
                step.refusal
                or _("An enrolment that is “%(current)s” cannot become “%(target)s”.")
                % {"current": S(current).label, "target": S(step.to).label}
            )
        locked.status = step.to
        for field, value in (changes or {}).items():
            setattr(locked, field, value)
        locked.save(update_fields=["status", *(changes or {}), "updated_at"])
        if notify is not None:
            notify(locked)
        if on_commit is not None:
            transaction.on_commit(lambda: on_commit(locked))
    if isinstance(enrolment, Enrolment):
        enrolment.refresh_from_db()
    return locked
