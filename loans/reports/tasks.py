"""Report and export tasks (``loans.exports.*`` → the exports queue)."""

import logging

from celery import shared_task
from django.db import DatabaseError

from loans.reports import exports, summaries
from loans.reports.exports import purge_expired
from loans.reports.monthly import monthly_report_send

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

    return monthly_report_send()


@shared_task(name="loans.exports.purge_expired", bind=True, acks_late=True, max_retries=0)
def purge_expired_exports(self) -> int:
    """Delete export files whose download link expired (the log rows stay)."""

    return purge_expired()


@shared_task(
    name="loans.exports.rebuild_summaries",
    bind=True,
    acks_late=True,
    max_retries=2,
    default_retry_delay=600,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
)
def rebuild_summaries(self) -> int:
    """Nightly: recount every summary cell from the source tables; returns how many had drifted (0 expected)."""
    return summaries.rebuild().differences
