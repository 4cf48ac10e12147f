"""Webhooks: a real receiver on 127.0.0.1 checks the HMAC-SHA256 signature over timestamp and body."""

from __future__ import annotations

from loans.lenders import services, webhooks, workflow
from loans.lenders.models import WebhookDelivery
from tests.lenders.conftest import Receiver


def test_new_referral_is_delivered_signed(receiver, lender_a, approved_application, programme_officer, monkeypatch):
    lender_a.webhook_url = f"http://127.0.0.1:{receiver.server_port}/hooks"
    lender_a.save()
    Receiver.secret = lender_a.webhook_secret
    queued: list[int] = []
    monkeypatch.setattr(workflow, "enqueue", lambda task, delivery_id: queued.append(delivery_id))
    referral = services.referral_create(application=approved_application, officer=programme_officer)
    workflow.webhook_queue(referral.pk, "referral.created")  # what the commit runs
    [delivery_id] = queued
    assert webhooks.deliver(delivery_id) is True
    [got] = Receiver.received
    assert got["valid"] is True
    assert got["event"] == "referral.created"
    assert got["body"]["referral"] == str(referral.public_id)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_failed_delivery_is_recorded_and_replayable(receiver, lender_a, approved_application, programme_officer):
    lender_a.webhook_url = f"http://127.0.0.1:{receiver.server_port}/hooks"
    lender_a.save()
    Receiver.secret = "not-the-secret"  # the receiver refuses the signature: 401
    referral = services.referral_create(application=approved_application, officer=programme_officer)
    delivery = webhooks.send_event(referral.pk, "referral.created")
    assert delivery is not None
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 401)
    Receiver.secret = lender_a.webhook_secret
    assert webhooks.deliver(delivery.pk) is True  # the replay the admin action queues
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_no_url_no_delivery(lender_a, approved_application, programme_officer):
    referral = services.referral_create(application=approved_application, officer=programme_officer)
    assert webhooks.send_event(referral.pk, "referral.created") is None
    assert not WebhookDelivery.objects.exists()
