"""Reminders about the profile itself: people still abroad whose planned return date has come."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Notification, ReturneeProfile
from .notify import notify

# A run missed for a few days (beat down) still reaches them; older dates were already reminded.
LOOK_BACK_DAYS = 7


def remind_planned_returns(*, today: date | None = None) -> int:
    """Ask people still abroad whose planned return date is today (or just passed) to update their return.

    One message per person and planned date (the notification key), so a second run, or a
    redelivered task, sends nothing more; a new planned date gets its own reminder.
    """
    today = today or timezone.localdate()
    profiles = ReturneeProfile.objects.filter(
        lives_abroad=True,
        planned_return_date__lte=today,
        planned_return_date__gt=today - timedelta(days=LOOK_BACK_DAYS),
        user__is_active=True,
    ).select_related("user")
    sent = 0
    for profile in profiles.iterator():
        user, planned = profile.user, profile.planned_return_date
        assert planned is not None  # noqa: S101 - filtered above
        key = f"planned-return:{profile.pk}:{planned.isoformat()}"
        if Notification.objects.filter(key=key).exists():
            continue
        with translation.override(user.preferred_language):
            notify(
                user=user,
                key=key,
                kind="planned_return",
                subject=_("Are you back in Colombia?"),
                body=_(
                    "You planned to come back on %(date)s. If you are back, update “Where you live” and “Your "
                    "return” in your profile: the 12 months to apply count from your return, and only then can "
                    "you send your application. If your plans changed, give the new date."
                )
                % {"date": date_format(planned, "DATE_FORMAT")},
                link=reverse("applicants:profile_step", args=[profile.public_id, "residence"]),
            )
        sent += 1
    return sent


# Here rather than in tasks.py: notify() imports tasks.py, so tasks.py cannot import this module.
# portal/celery.py discovers it (related_name="reminders"), so workers know the task.
@shared_task(name="applicants.remind_planned_returns", bind=True, acks_late=True, max_retries=3)
def remind_planned_returns_task(self) -> int:
    """Daily (beat): people still abroad whose planned return date has come (safe to run twice)."""
    return remind_planned_returns()
