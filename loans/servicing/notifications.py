"""What loan servicing tells people: the officers' follow-up visit reminders."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.notify import notify
from loans.servicing.models import FollowUpVisit


def remind_follow_up_visits(*, today=None, days_ahead: int = 7) -> int:
    """Tell the officer in charge about follow-up visits due within a week or overdue (once per visit)."""
    today = today or timezone.localdate()
    visits = FollowUpVisit.objects.filter(
        done_on__isnull=True, due_on__lte=today + timedelta(days=days_ahead)
    ).select_related("loan__application__assigned_to", "loan__application__applicant", "officer")
    sent = 0
    for visit in visits:
        application = visit.loan.application
        officer = visit.officer or application.assigned_to or application.approved_by
        if officer is None:
            continue
        with translation.override(officer.preferred_language):
            notify(
                user=officer,
                key=f"follow-up-visit:{visit.pk}:{visit.due_on.isoformat()}",
                kind="follow_up_visit",
                subject=_("Follow-up visit due: %(reference)s") % {"reference": application.reference},
                body=_(
                    "The %(months)s-month follow-up visit of loan %(reference)s is due on %(date)s: check that the "
                    "business operates and how many jobs it created, and record it in the admin."
                )
                % {"months": visit.months_after, "reference": application.reference, "date": visit.due_on},
                link=reverse("admin:loans_followupvisit_change", args=[visit.pk]),
            )
        sent += 1
    return sent
