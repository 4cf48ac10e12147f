"""Approvals that lapse: approved, never disbursed within LOANS_APPROVAL_LAPSE_DAYS → cancelled."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from loans.applications.models import LoanApplication
from loans.applications.workflow import MOVES, TransitionError, transition


def approvals_lapse(*, as_of: date) -> int:
    """approved → cancelled for approvals older than LOANS_APPROVAL_LAPSE_DAYS and never disbursed."""
    days = settings.LOANS_APPROVAL_LAPSE_DAYS
    limit = timezone.make_aware(datetime.combine(as_of - timedelta(days=days), time.min))
    count = 0
    for pk in LoanApplication.objects.filter(status__in=MOVES["lapse"].sources, decided_at__lt=limit).values_list(
        "pk", flat=True
    ):
        try:
            transition(
                pk,
                MOVES["lapse"].to,
                actor=None,
                reason=_("The approval lapsed: not disbursed within %(days)s days.") % {"days": days},
                expected_from=MOVES["lapse"].sources,
            )
            count += 1
        except TransitionError:
            continue  # disbursed a moment ago
    return count
