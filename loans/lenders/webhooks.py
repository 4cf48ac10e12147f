"""Webhooks to a partner lender (issue 16): signed with HMAC-SHA256 over ``timestamp.body``.

Headers: ``X-Retorno-Timestamp`` (Unix seconds) and ``X-Retorno-Signature: sha256=<hex>`` where
the hex is HMAC-SHA256(secret, f"{timestamp}.{body}"). Receivers should refuse a timestamp more
than five minutes old. Each delivery is recorded; Celery retries with backoff; staff replay it
from the admin.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.utils import timezone

from loans.lenders.models import Intermediary, Referral, WebhookDelivery

EVENTS = ("referral.created", "offer.accepted", "application.withdrawn")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def send_event(referral_id: int, event: str, extra: dict[str, Any] | None = None) -> WebhookDelivery | None:
    """Record a delivery for the referral's lender, if it has a URL (the caller queues it).

    The payload names the referral, the application and the referral's status; ``extra`` adds
    the event's own fields (the accepted offer, the application's new status).
    """
    referral = Referral.objects.select_related("intermediary", "application").get(pk=referral_id)
    lender: Intermediary = referral.intermediary
    if not lender.webhook_url or not lender.active:
        return None
    delivery = WebhookDelivery.objects.create(
        intermediary=lender,
        event=event,
        payload={
            "event": event,
            "referral": str(referral.public_id),
            "application_reference": referral.application.reference,
            "status": referral.status,
            **(extra or {}),
        },
    )
    return delivery


def deliver(delivery_id: int, *, timeout: float = 10) -> bool:
    """POST the delivery once; record the outcome. True when the receiver answered 2xx."""
    delivery = WebhookDelivery.objects.select_related("intermediary").get(pk=delivery_id)
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        return True
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310  (the URL is an https/http URLField set by staff)
        delivery.intermediary.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Retorno-Event": delivery.event,
            "X-Retorno-Delivery": str(delivery.pk),
            "X-Retorno-Timestamp": str(timestamp),
            "X-Retorno-Signature": sign(delivery.intermediary.webhook_secret, timestamp, body),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            delivery.last_status_code = response.status
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
    except urllib.error.HTTPError as error:
        delivery.last_status_code, delivery.last_error = error.code, str(error)[:500]
        delivery.status = WebhookDelivery.Status.FAILED
    except (urllib.error.URLError, OSError) as error:
        delivery.last_error = str(error)[:500]
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    return delivery.status == WebhookDelivery.Status.DELIVERED
