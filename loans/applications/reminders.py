"""Periodic reminders and the officers' daily digest (run by beat: loans/migrations/0004).

Each message has a notification key that names what it is about (the idle spell, the
request, the day), so a job that runs twice, or a retried task, sends it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import Permission
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applicants.models import User
from applicants.notify import notify
from loans import permissions
from loans.applications.models import ApplicationEvent, LoanApplication
from loans.choices import ApplicationStatus

if TYPE_CHECKING:
    from typing import TypeAlias, TypedDict

    from django_stubs_ext import WithAnnotations

    class _InReview(TypedDict):
        in_review_since: datetime | None

    # An application with the time it last entered review (applications_for_digest).
    DigestApplication: TypeAlias = WithAnnotations[LoanApplication, _InReview]

# More than this many lines make an email nobody reads: the rest is one link away.
DIGEST_MAX_LINES = 50


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
        sent += notification.created_at >= started
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
        sent += notification.created_at >= started
    return sent


def _latest_request_of_application():
    return (
        ApplicationEvent.objects.filter(
            application=OuterRef("application"), to_status=ApplicationStatus.INFO_REQUESTED
        )
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )


# --- officers ---------------------------------------------------------------------------


def digest_recipients() -> QuerySet[User]:
    """Active staff who may see applications (the permission directly, through a group, or superuser)."""
    permission = Permission.objects.filter(
        content_type__app_label="loans", codename=permissions.VIEW_APPLICATION
    ).first()
    has_permission = Q(is_superuser=True)
    if permission is not None:
        has_permission |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return User.objects.filter(has_permission, is_active=True, is_staff=True).distinct().order_by("pk")


def applications_for_digest(officer: User) -> QuerySet[DigestApplication]:
    """What an officer answers for: the applications in review assigned to them, and the unassigned."""
    in_review_since = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status=ApplicationStatus.IN_REVIEW)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return (
        LoanApplication.objects.filter(status=ApplicationStatus.IN_REVIEW)
        .filter(Q(assigned_to=officer) | Q(assigned_to=None))
        .annotate(in_review_since=Subquery(in_review_since))
        .order_by("in_review_since", "pk")
    )


def officer_digest(*, overdue_days: int = 5, now: datetime | None = None) -> int:
    """Email each officer the applications new in review since yesterday and those waiting too long."""
    started = timezone.now()
    now = now or started
    day = timezone.localtime(now).date()
    new_since = now - timedelta(days=1)
    overdue_before = now - timedelta(days=overdue_days)
    link = reverse("admin:loans_loanapplication_changelist") + f"?status__exact={ApplicationStatus.IN_REVIEW}"
    sent = 0
    for officer in digest_recipients():
        applications = applications_for_digest(officer)
        new = list(applications.filter(in_review_since__gte=new_since)[: DIGEST_MAX_LINES + 1])
        overdue = list(applications.filter(in_review_since__lt=overdue_before)[: DIGEST_MAX_LINES + 1])
        if not new and not overdue:
            continue
        new_count = (
            applications.filter(in_review_since__gte=new_since).count() if len(new) > DIGEST_MAX_LINES else len(new)
        )
        overdue_count = (
            applications.filter(in_review_since__lt=overdue_before).count()
            if len(overdue) > DIGEST_MAX_LINES
            else len(overdue)
        )
        with translation.override(officer.preferred_language):
            body = "\n".join(
                [
                    ngettext(
                        "%(count)d application entered review since yesterday:",
                        "%(count)d applications entered review since yesterday:",
                        new_count,
                    )
                    % {"count": new_count},
                    *_lines(new[:DIGEST_MAX_LINES], now),
                    "",
                    ngettext(
                        "%(count)d application has waited in review more than %(days)d days:",
                        "%(count)d applications have waited in review more than %(days)d days:",
                        overdue_count,
                    )
                    % {"count": overdue_count, "days": overdue_days},
                    *_lines(overdue[:DIGEST_MAX_LINES], now),
                ]
            )
            notification = notify(
                user=officer,
                key=f"officer-digest:{officer.pk}:{day.isoformat()}",
                kind="officer_digest",
                subject=_("Applications in review: %(new)d new, %(overdue)d waiting")
                % {"new": new_count, "overdue": overdue_count},
                body=body,
                link=link,
            )
        sent += notification.created_at >= started
    return sent


def _lines(applications: list[DigestApplication], now: datetime) -> list[str]:
    lines = []
    for application in applications:
        days = (now - application.in_review_since).days if application.in_review_since else 0
        lines.append(
            "· "
            + ngettext("%(reference)s, in review for %(days)d day", "%(reference)s, in review for %(days)d days", days)
            % {"reference": application.reference, "days": days}
        )
    return lines or ["· —"]
