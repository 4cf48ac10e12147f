"""Tell the summaries which applications or applicants a write is about to change.

A service wraps its write in ``tracking(applications=[...])``; every registered tracker (the
report and statistics summaries, ``loans.reports.summaries``) reads what those rows count for
before the write and after it, and adds the difference, all in the write's own transaction.
The writer needs to know nothing about reports, so the import arrows keep pointing one way:
services import this module, ``loans.reports`` registers into it.

Nested blocks are safe: rows already tracked by an outer block are left to it, so a transition
inside a tracked service is counted once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

from django.db import transaction

# A tracker takes (application ids, applicant ids) and returns a context manager that
# measures before entering and applies the difference on a clean exit.
Tracker = Callable[[list[int], list[int]], AbstractContextManager]

_trackers: list[Tracker] = []
_active = threading.local()


def register(tracker: Tracker) -> None:
    if tracker not in _trackers:
        _trackers.append(tracker)


def _tracked(kind: str) -> set[int]:
    if not hasattr(_active, kind):
        setattr(_active, kind, set())
    return getattr(_active, kind)


@contextmanager
def tracking(*, applications: Iterable[int] = (), applicants: Iterable[int] = ()) -> Iterator[None]:
    """Run the block in one transaction with every tracker watching these rows."""
    outer_applications, outer_applicants = _tracked("applications"), _tracked("applicants")
    application_ids = sorted({pk for pk in applications if pk is not None} - outer_applications)
    applicant_ids = sorted({pk for pk in applicants if pk is not None} - outer_applicants)
    if not _trackers or not (application_ids or applicant_ids):
        with transaction.atomic():
            yield
        return
    outer_applications.update(application_ids)
    outer_applicants.update(applicant_ids)
    try:
        with transaction.atomic(), ExitStack() as stack:
            for tracker in _trackers:
                stack.enter_context(tracker(application_ids, applicant_ids))
            yield
    finally:
        outer_applications.difference_update(application_ids)
        outer_applicants.difference_update(applicant_ids)
