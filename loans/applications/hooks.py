"""Who is told, after the commit, that an application moved or that its applicant accepted an offer.

A room the applications room may not import (the partner lenders tell their lender) registers a
callback here from ``loans/wiring.py``; ``workflow.transition`` and ``services.offer_accept`` call
``moved`` / ``offer_accepted`` inside their transaction, and each callback runs once the write is
committed (never for a rolled-back write). A failing callback is logged and does not undo the
committed move (``robust``). Callbacks take ids, so they read what was committed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

# (application id, status before, status after)
AfterMove = Callable[[int, str, str], object]
# (application id, offer id)
AfterOfferAccepted = Callable[[int, int], object]

_after_move: list[AfterMove] = []
_after_offer_accepted: list[AfterOfferAccepted] = []


def on_move(callback: AfterMove) -> None:
    if callback not in _after_move:
        _after_move.append(callback)


def on_offer_accepted(callback: AfterOfferAccepted) -> None:
    if callback not in _after_offer_accepted:
        _after_offer_accepted.append(callback)


def moved(application_id: int, from_status: str, to_status: str) -> None:
    for callback in _after_move:
        transaction.on_commit(partial(callback, application_id, from_status, to_status), robust=True)


def offer_accepted(application_id: int, offer_id: int) -> None:
    for callback in _after_offer_accepted:
        transaction.on_commit(partial(callback, application_id, offer_id), robust=True)
