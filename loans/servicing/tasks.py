"""Loan servicing tasks: the daily run over instalments and loans, visit reminders."""

from celery import shared_task

from loans.servicing import notifications, repayments


@shared_task(name="loans.loans.daily", bind=True, acks_late=True, max_retries=2, default_retry_delay=300)
def loans_daily(self) -> int:
    """State-paid instalments, arrears and loan states; safe to run more than once a day."""
    return repayments.loans_daily()


@shared_task(name="loans.notifications.remind_follow_up_visits", bind=True, acks_late=True, max_retries=0)
def remind_follow_up_visits(self, days_ahead: int = 7) -> int:
    return notifications.remind_follow_up_visits(days_ahead=days_ahead)
