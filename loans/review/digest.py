"""The officers' daily digest: the applications in review they answer for, new and overdue
(run by beat through loans.review.tasks.officer_digest: loans/migrations/0004).

The notification key names the officer and the day, so a job that runs twice, or a retried
task, sends it once.
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
        sent += notification is not None and notification.created_at >= started
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
