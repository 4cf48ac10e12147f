"""The officers' daily digest (queue ``notifications``)."""

from celery import shared_task

from loans.review import digest


@shared_task(name="loans.notifications.officer_digest", bind=True, acks_late=True, max_retries=0)
def officer_digest(self, overdue_days: int = 5) -> int:
    return digest.officer_digest(overdue_days=overdue_days)
