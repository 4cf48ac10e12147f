"""Periodic reminders to applicants (run by beat: loans/migrations/0004).

Each message has a notification key that names what it is about (the idle spell, the
request), so a job that runs twice, or a retried task, sends it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.notify import notify
from loans.applications.models import ApplicationEvent, LoanApplication
from loans.choices import ApplicationStatus

# Drafts idle longer than this were reminded already (or the job was down for a month):
# the daily run does not walk every abandoned draft of the programme's life again.
LOOK_BACK_DAYS = 30


def remind_idle_drafts(*, idle_days: int = 7, now: datetime | None = None) -> int:
    """Remind the applicant of a draft untouched for ``idle_days``, once per idle spell."""
    started = timezone.now()
    cutoff = (now or started) - timedelta(days=idle_days)
    drafts = LoanApplication.objects.filter(
        status=ApplicationStatus.DRAFT,
        updated_at__lte=cutoff,
        updated_at__gt=cutoff - timedelta(days=LOOK_BACK_DAYS),
        applicant__is_active=True,
    ).select_related("applicant")
    sent = 0
    for application in drafts.iterator(chunk_size=500):
        user = application.applicant
        with translation.override(user.preferred_language):
            notification = notify(
                user=user,
                # The spell ends when the draft is saved again (updated_at moves): a new spell, a new reminder.
                key=f"draft-idle:{application.pk}:{application.updated_at:%Y%m%d%H%M%S}",
                kind="draft_reminder",
                subject=_("Your loan application is waiting for you"),
                body=_(
                    "You started a loan application on %(date)s and have not finished it. "
                    "Your answers are saved: continue where you left off."
                )
                % {"date": timezone.localtime(application.created_at).strftime("%d/%m/%Y")},
                link=reverse("loans:application_detail", args=[application.public_id]),
            )
        sent += notification is not None and notification.created_at >= started
    return sent


def remind_unanswered_info_requests(*, waiting_days: int = 5, now: datetime | None = None) -> int:
    """Remind the applicant of an officer's question unanswered for ``waiting_days``, once per question."""
    started = timezone.now()
    cutoff = (now or started) - timedelta(days=waiting_days)
    requests = (
        ApplicationEvent.objects.filter(
            to_status=ApplicationStatus.INFO_REQUESTED,
            created_at__lte=cutoff,
            application__status=ApplicationStatus.INFO_REQUESTED,
            application__applicant__is_active=True,
        )
        .annotate(latest=Subquery(_latest_request_of_application()))
        .select_related("application__applicant")
    )
    sent = 0
    for event in requests.iterator(chunk_size=500):
        if event.latest != event.pk:
            continue  # an older request, already answered; the latest one is what waits
        application, user = event.application, event.application.applicant
        with translation.override(user.preferred_language):
            notification = notify(
                user=user,
                key=f"info-reminder:{application.pk}:{event.pk}",
                kind="info_reminder",
                subject=_("An officer is waiting for your answer (%(reference)s)")
                % {"reference": application.reference},
                body=_(
                    "On %(date)s an officer asked you for information about your application. "
                    "Your application cannot continue until you answer."
                )
                % {"date": timezone.localtime(event.created_at).strftime("%d/%m/%Y")},
                link=reverse("loans:application_detail", args=[application.public_id]),
                sms=True,
            )
        sent += notification is not None and notification.created_at >= started
    return sent


def _latest_request_of_application():
    return (
        ApplicationEvent.objects.filter(
            application=OuterRef("application"), to_status=ApplicationStatus.INFO_REQUESTED
        )
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
