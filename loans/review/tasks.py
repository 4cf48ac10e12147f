"""The officers' daily digest (queue ``notifications``)."""

from celery import shared_task

from loans.applications import reminders


@shared_task(name="loans.notifications.officer_digest", bind=True, acks_late=True, max_retries=0)
def officer_digest(self, overdue_days: int = 5) -> int:
    return reminders.officer_digest(overdue_days=overdue_days)
