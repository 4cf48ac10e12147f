"""What the lender of an open referral hears of the application: ``offer.accepted`` when the applicant
accepts a new offer, ``application.withdrawn`` when the applicant declines it; and the replay."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from loans.applications import services as applications
from loans.choices import ApplicationStatus as S
from loans.lenders import services, webhooks, workflow
from loans.lenders.models import Referral, ReferralEvent, WebhookDelivery
from loans.products.models import LoanOffer
from loans.products.offers import offer_create
from loans.review import services as review
from tests.conftest import otp_verified_client
from tests.factories import StaffFactory
from tests.lenders.conftest import Receiver


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The delivery ids queued for Celery (the test delivers them itself)."""
    ids: list[int] = []
    monkeypatch.setattr(workflow, "enqueue", lambda task, delivery_id: ids.append(delivery_id))
    monkeypatch.setattr(services, "enqueue", lambda task, delivery_id: ids.append(delivery_id))
    return ids


@pytest.fixture
def hooked_lender(lender_a, receiver):
    lender_a.webhook_url = f"http://127.0.0.1:{receiver.server_port}/hooks"
    lender_a.save()
    Receiver.secret = lender_a.webhook_secret
    return lender_a


@pytest.fixture
def referral(hooked_lender, approved_application, programme_officer, queued, django_capture_on_commit_callbacks):
    review.current_offer(approved_application)  # the accepted offer of the approval
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_create(application=approved_application, officer=programme_officer)
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == ["referral.created"]
    WebhookDelivery.objects.all().delete()  # tested in test_webhooks.py; these tests count the others
    queued.clear()
    return referral


def _repriced(application) -> LoanOffer:
    """A re-pricing the applicant has to accept (what review.application_reprice makes)."""
    current = review.current_offer(application)
    new = offer_create(
        product=current.product,
        amount=current.amount,
        term_months=current.term_months,
        grace_months=current.grace_months,
        day=date.today(),
        kind=LoanOffer.Kind.REPRICING,
        replaces=current,
        annual_rate_pct=Decimal("19.5"),
        default_rate_pct=Decimal("19.5"),
    )
    application.offer = new
    application.save(update_fields=["offer"])
    return new


def test_accepting_a_new_offer_tells_the_lender_signed(referral, queued, django_capture_on_commit_callbacks):
    application = referral.application
    new = _repriced(application)
    with django_capture_on_commit_callbacks(execute=True):
        applications.offer_accept(application=application, user=application.applicant, offer_id=new.pk)
    new.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert queued == [delivery.pk]
    assert (delivery.event, delivery.intermediary_id) == ("offer.accepted", referral.intermediary_id)
    assert delivery.payload == {
        "event": "offer.accepted",
        "referral": str(referral.public_id),
        "application_reference": application.reference,
        "status": "referred",
        "offer": {
            "amount": 10_000_000,
            "term_months": 24,
            "grace_months": 3,
            "annual_rate_pct": "19.5000",
            "accepted_at": new.accepted_at.isoformat(),
        },
    }
    assert webhooks.deliver(delivery.pk) is True
    [got] = Receiver.received
    assert (got["valid"], got["event"], got["body"]) == (True, "offer.accepted", delivery.payload)


def test_declining_the_offer_tells_the_lender_the_application_is_withdrawn(
    referral, queued, django_capture_on_commit_callbacks
):
    application = referral.application
    with django_capture_on_commit_callbacks(execute=True):
        applications.offer_decline(application=application, user=application.applicant, offer_id=application.offer_id)
    application.refresh_from_db()
    assert application.status == S.CANCELLED
    delivery = WebhookDelivery.objects.get()
    assert queued == [delivery.pk]
    assert delivery.payload == {
        "event": "application.withdrawn",
        "referral": str(referral.public_id),
        "application_reference": application.reference,
        "status": "closed",
        "application_status": "cancelled",
        "previous_status": "approved",
    }
    assert webhooks.deliver(delivery.pk) is True
    [got] = Receiver.received
    assert (got["valid"], got["event"], got["body"]) == (True, "application.withdrawn", delivery.payload)
    # The referral ends with the application: out of the lender's open list, recorded, and any later
    # step of the lender's is refused with nothing written.
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert list(ReferralEvent.objects.filter(referral=referral).values_list("from_status", "to_status", "via")) == [
        ("", "referred", "admin"),
        ("referred", "closed", "programme"),
    ]
    with pytest.raises(workflow.LenderError) as refused:
        services.referral_accept(referral=referral, intermediary=referral.intermediary)
    assert refused.value.status == 409
    assert Referral.objects.get(pk=referral.pk).status == "closed"


def test_a_rolled_back_decline_tells_nobody(referral, queued, django_capture_on_commit_callbacks):
    application = referral.application
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(applications.ApplicationError):
        applications.offer_decline(application=application, user=application.applicant, offer_id=-1)
    assert not WebhookDelivery.objects.exists()
    assert queued == []


def test_no_open_referral_no_webhook(referral, queued, django_capture_on_commit_callbacks):
    services.referral_decline(referral=referral, intermediary=referral.intermediary, reason="Sin cupo")
    application = referral.application
    new = _repriced(application)
    with django_capture_on_commit_callbacks(execute=True):
        applications.offer_accept(application=application, user=application.applicant, offer_id=new.pk)
        applications.offer_decline(application=application, user=application.applicant, offer_id=new.pk)
    assert not WebhookDelivery.objects.exists()
    assert queued == []


def test_a_lender_without_url_gets_no_webhook(referral, queued, django_capture_on_commit_callbacks):
    referral.intermediary.webhook_url = ""
    referral.intermediary.save()
    application = referral.application
    with django_capture_on_commit_callbacks(execute=True):
        applications.offer_decline(application=application, user=application.applicant, offer_id=application.offer_id)
    assert not WebhookDelivery.objects.exists()
    assert queued == []


def test_replay_resets_and_queues_on_commit(referral, queued, django_capture_on_commit_callbacks):
    Receiver.secret = "not-the-secret"
    delivery_id = workflow.webhook_queue(referral.pk, "referral.created")
    assert delivery_id is not None
    assert webhooks.deliver(delivery_id) is False
    queued.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.delivery_replay(delivery_ids=[delivery_id, 999_999], actor=StaffFactory())
    assert count == 1
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "")
    assert queued == []  # nothing is queued before the commit
    for callback in callbacks:
        callback()
    assert queued == [delivery_id]
    Receiver.secret = referral.intermediary.webhook_secret
    assert webhooks.deliver(delivery_id) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_the_admin_action_replays_through_the_service(referral, queued, django_capture_on_commit_callbacks):
    delivery_id = workflow.webhook_queue(referral.pk, "referral.created")
    WebhookDelivery.objects.filter(pk=delivery_id).update(status="failed", last_error="timeout")
    queued.clear()
    client = otp_verified_client(StaffFactory(is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:loans_webhookdelivery_changelist"),
            {"action": "replay", "_selected_action": [delivery_id]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 envíos puestos de nuevo en cola." in response.content.decode()
    assert WebhookDelivery.objects.get(pk=delivery_id).status == "pending"
    assert queued == [delivery_id]


def test_every_referral_status_is_reached_by_one_move_of_the_table():
    targets = {move.to for move in workflow.MOVES.values()}
    assert targets == set(Referral.Status.values)


def test_a_step_out_of_turn_is_refused_with_nothing_written(referral):
    with pytest.raises(workflow.LenderError) as refused:
        services.referral_study(referral=referral, intermediary=referral.intermediary, approved=True)
    assert refused.value.status == 409
    referral.refresh_from_db()
    assert referral.status == "referred"
    assert list(ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True)) == ["referred"]
