"""Applicant reminders (queue ``notifications``)."""

from celery import shared_task

from loans.applications import reminders


@shared_task(name="loans.notifications.remind_idle_drafts", bind=True, acks_late=True, max_retries=0)
def remind_idle_drafts(self, idle_days: int = 7) -> int:
    return reminders.remind_idle_drafts(idle_days=idle_days)


@shared_task(name="loans.notifications.remind_unanswered_info_requests", bind=True, acks_late=True, max_retries=0)
def remind_unanswered_info_requests(self, waiting_days: int = 5) -> int:
    return reminders.remind_unanswered_info_requests(waiting_days=waiting_days)
