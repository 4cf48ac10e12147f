"""Celery tasks of applications: eligibility checks and re-checks, reminders to applicants.

Thin: they take ids and call the module that does the work; every task is safe to run twice
(acks_late: a worker killed mid-task gets its message delivered again). Names decide the queue
(CELERY_TASK_ROUTES), not this module's path: ``loans.eligibility.*`` → eligibility,
``loans.notifications.*`` → notifications.
"""

import logging

from celery import shared_task
from django.db import DatabaseError
from kombu.exceptions import OperationalError

from loans.applications import checks, recheck, reminders
from loans.applications.selectors import stuck_submitted_ids
from portal.queue import enqueue

logger = logging.getLogger(__name__)

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
    result = checks.eligibility_run(application_id=application_id)
    return result.outcome if result else None


@shared_task(name="loans.eligibility.check_batch", bind=True, acks_late=True, max_retries=3)
def check_eligibility_batch(self, application_ids: list[int]) -> int:
    """check_eligibility for many ids in one message; only the ids that hit a database error retry."""
    failed, checked = [], 0
    for application_id in application_ids:
        try:
            checked += checks.eligibility_run(application_id=application_id) is not None
        except DatabaseError:
            failed.append(application_id)
    if failed:
        raise self.retry(args=[failed], countdown=30)
    return checked


@shared_task(name="loans.eligibility.sweep", bind=True, acks_late=True, max_retries=0)
def sweep_submitted(self, older_than_minutes: int = 5) -> int:
    """Queue the check again for applications left in `submitted` (e.g. sent while Redis was down)."""

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
    return recheck.recheck_plan(run_id, queue_chunks=queue_recheck_chunks)


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


def queue_recheck_chunks(run_id: int, ids: list[int]) -> int:
    """Queue a re-check's chunks at low priority; stops at the first the broker refuses."""
    queued = 0
    for start in range(0, len(ids), recheck.CHUNK_SIZE):
        if not _enqueue_low(recheck_chunk, run_id, ids[start : start + recheck.CHUNK_SIZE]):
            break  # broker down: "Queue the missing chunks again" in the admin resumes the run
        queued += 1
    return queued


def _enqueue_low(task, *args) -> bool:
    try:
        task.apply_async(args=args, priority=recheck.CHUNK_PRIORITY)
    except (OperationalError, OSError) as error:
        logger.warning("Could not queue %s (%s).", task.name, type(error).__name__)
        return False
    return True


@shared_task(name="loans.notifications.remind_idle_drafts", bind=True, acks_late=True, max_retries=0)
def remind_idle_drafts(self, idle_days: int = 7) -> int:
    return reminders.remind_idle_drafts(idle_days=idle_days)


@shared_task(name="loans.notifications.remind_unanswered_info_requests", bind=True, acks_late=True, max_retries=0)
def remind_unanswered_info_requests(self, waiting_days: int = 5) -> int:
    return reminders.remind_unanswered_info_requests(waiting_days=waiting_days)
