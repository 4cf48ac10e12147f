"""Celery tasks of the loans app: thin wrappers that take ids and call a service.

Names decide the queue (CELERY_TASK_ROUTES): ``loans.eligibility.*`` → eligibility,
``loans.notifications.*`` → notifications. Every task is safe to run twice (acks_late: a
worker killed mid-task gets its message delivered again).
"""

from celery import shared_task
from django.db import DatabaseError

from . import recheck, reminders, services

# Ids per batch task: large enough to make the broker's cost per check negligible, small
# enough that a batch finishes in seconds (docs/BENCHMARKS.md, "Eligibility").
CHECK_BATCH_SIZE = 100


@shared_task(
    name="loans.eligibility.check",
    bind=True,
    acks_late=True,
    max_retries=3,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
)
def check_eligibility(self, application_id: int) -> str | None:
    """Run the eligibility engine for a submitted application; a second run finds nothing to do."""
    result = services.eligibility_run(application_id=application_id)
    return result.outcome if result else None


@shared_task(name="loans.eligibility.check_batch", bind=True, acks_late=True, max_retries=3)
def check_eligibility_batch(self, application_ids: list[int]) -> int:
    """check_eligibility for many ids in one message; only the ids that hit a database error retry."""
    failed, checked = [], 0
    for application_id in application_ids:
        try:
            checked += services.eligibility_run(application_id=application_id) is not None
        except DatabaseError:
            failed.append(application_id)
    if failed:
        raise self.retry(args=[failed], countdown=30)
    return checked


@shared_task(name="loans.eligibility.sweep", bind=True, acks_late=True, max_retries=0)
def sweep_submitted(self, older_than_minutes: int = 5) -> int:
    """Queue the check again for applications left in `submitted` (e.g. sent while Redis was down)."""
    from portal.queue import enqueue

    from .selectors import stuck_submitted_ids

    ids = stuck_submitted_ids(older_than_minutes=older_than_minutes)
    queued = 0
    for start in range(0, len(ids), CHECK_BATCH_SIZE):
        batch = ids[start : start + CHECK_BATCH_SIZE]
        if not enqueue(check_eligibility_batch, batch):
            break  # the broker is still down: the next sweep tries again
        queued += len(batch)
    return queued


@shared_task(
    name="loans.eligibility.recheck", bind=True, acks_late=True, max_retries=3, autoretry_for=(DatabaseError,)
)
def recheck_plan(self, run_id: int) -> int:
    """Count what a re-check covers and queue its chunks."""
    return recheck.recheck_plan(run_id)


@shared_task(
    name="loans.eligibility.recheck_chunk",
    bind=True,
    acks_late=True,
    max_retries=5,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
)
def recheck_chunk(self, run_id: int, application_ids: list[int]) -> int:
    """Re-check one chunk of a run in one transaction (skips what an earlier delivery did)."""
    try:
        return recheck.recheck_chunk(run_id, application_ids)
    except DatabaseError:
        if self.request.retries >= self.max_retries:
            recheck.recheck_failed(run_id)
        raise


@shared_task(name="loans.notifications.remind_idle_drafts", bind=True, acks_late=True, max_retries=0)
def remind_idle_drafts(self, idle_days: int = 7) -> int:
    return reminders.remind_idle_drafts(idle_days=idle_days)


@shared_task(name="loans.notifications.remind_unanswered_info_requests", bind=True, acks_late=True, max_retries=0)
def remind_unanswered_info_requests(self, waiting_days: int = 5) -> int:
    return reminders.remind_unanswered_info_requests(waiting_days=waiting_days)


@shared_task(name="loans.notifications.officer_digest", bind=True, acks_late=True, max_retries=0)
def officer_digest(self, overdue_days: int = 5) -> int:
    return reminders.officer_digest(overdue_days=overdue_days)


@shared_task(name="loans.loans.daily", bind=True, acks_late=True, max_retries=2, default_retry_delay=300)
def loans_daily(self) -> int:
    """State-paid instalments, arrears and loan states; safe to run more than once a day."""
    from . import repayments

    return repayments.loans_daily()


@shared_task(name="loans.notifications.remind_follow_up_visits", bind=True, acks_late=True, max_retries=0)
def remind_follow_up_visits(self, days_ahead: int = 7) -> int:
    from . import notifications

    return notifications.remind_follow_up_visits(days_ahead=days_ahead)


# --- reports and exports (issue 6): loans.exports.* → the exports queue -------------------

# Large exports take minutes: their own limits, under the broker's one-hour visibility timeout.
EXPORT_SOFT_TIME_LIMIT = 40 * 60
EXPORT_TIME_LIMIT = 45 * 60


@shared_task(
    name="loans.exports.build",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
)
def build_export(self, job_id: int) -> int | None:
    """Build a large export's file and notify the analyst; a finished job is left alone.

    Database and file-system errors retry (at most three times, backing off); any other
    error, or the last retry, marks the job failed, removes the partial file and tells the analyst.
    """
    import logging

    from . import exports

    try:
        job = exports.export_build(job_id)
    except (DatabaseError, OSError) as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
        exports.export_fail(job_id, error)
        return None
    except Exception as error:
        logging.getLogger(__name__).exception("Export %s failed", job_id)
        exports.export_fail(job_id, error)
        return None
    return job.row_count if job else None


@shared_task(name="loans.exports.monthly_report", bind=True, acks_late=True, max_retries=2, default_retry_delay=600)
def monthly_report(self) -> int:
    """Last month's report to every analyst; each gets it once (the notification key)."""
    from .report_mail import monthly_report_send

    return monthly_report_send()


@shared_task(name="loans.exports.purge_expired", bind=True, acks_late=True, max_retries=0)
def purge_expired_exports(self) -> int:
    """Delete export files whose download link expired (the log rows stay)."""
    from .exports import purge_expired

    return purge_expired()
