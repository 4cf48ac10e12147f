from __future__ import annotations

from celery import shared_task

from loans.lenders import webhooks


@shared_task(name="loans.lenders.deliver_webhook", bind=True, acks_late=True, max_retries=8)
def deliver_webhook(self, delivery_id: int) -> bool:
    """Deliver one webhook; retry with exponential backoff (30 s, 60 s, … about 2 hours in all)."""
    if not webhooks.deliver(delivery_id):
        raise self.retry(countdown=30 * 2**self.request.retries)
    return True
