"""Eligibility tasks (queue ``eligibility``): checks, batches, the sweep and re-checks.

Thin: they take ids and call a service; every task is safe to run twice (acks_late).
"""

from celery import shared_task
from django.db import DatabaseError

from loans.applications import services
from loans.applications.selectors import stuck_submitted_ids
from loans.eligibility import recheck
from portal.queue import enqueue

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
