from celery import shared_task

from . import services


@shared_task(name="loans.eligibility.check", bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def check_eligibility(self, application_id: int) -> str | None:
    """Run the eligibility engine for a submitted application; a second run finds nothing to do."""
    result = services.eligibility_run(application_id=application_id)
    return result.outcome if result else None


@shared_task(name="loans.eligibility.sweep", bind=True, acks_late=True, max_retries=0)
def sweep_submitted(self, older_than_minutes: int = 5) -> int:
    """Queue the check again for applications left in `submitted` (e.g. sent while Redis was down)."""
    from portal.queue import enqueue

    from .selectors import stuck_submitted_ids

    ids = stuck_submitted_ids(older_than_minutes=older_than_minutes)
    for application_id in ids:
        enqueue(check_eligibility, application_id)
    return len(ids)
