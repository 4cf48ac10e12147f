"""Withdrawing the data-processing consent from the account: a confirmation page that says
what happens, then processing stops (the open application is withdrawn through the workflow,
no more messages), and the person is logged out."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from applicants.models import ConsentRecord, Notification
from applicants.notify import notify
from applicants.services import consent_give
from loans.applications.models import ApplicationEvent
from loans.applications.notifications import notify_received

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_review(ready_draft, owner):
    from loans.applications import services

    services.application_submit(application=ready_draft, user=owner)  # eager check, transactional test
    ready_draft.refresh_from_db()
    assert ready_draft.status == "in_review"
    return ready_draft


@pytest.fixture
def consenting(owner):
    consent_give(user=owner, language="es")
    return owner


def test_the_consent_page_shows_the_full_text_in_the_persons_language_and_the_history(consenting, owner_client):
    ConsentRecord.objects.create(user=consenting, version="2025-01", language="en", text="Old text.")
    owner_client.cookies["django_language"] = "en"
    page = owner_client.get(reverse("applicants:consent")).content.decode()

    assert "I authorise the Retorno Productivo programme to collect, store and use my personal data" in page
    assert "withdraw this authorisation at any time from my account" in page
    assert "Version 2026-11, given on" in page
    assert "Version 2025-01, given on" in page
    assert reverse("applicants:consent_withdraw") in page


def test_the_spanish_page_shows_the_spanish_text(consenting, owner_client):
    page = owner_client.get(reverse("applicants:consent")).content.decode()
    assert "Autorizo al programa Retorno Productivo" in page


def test_the_confirmation_page_says_what_happens_and_changes_nothing(consenting, owner_client):
    owner_client.cookies["django_language"] = "en"
    page = owner_client.get(reverse("applicants:consent_withdraw")).content.decode()

    assert "Any application of yours that has not been decided is withdrawn" in page
    assert "We send you no more emails, text messages or reminders." in page
    assert "You are logged out now." in page
    assert ConsentRecord.objects.get(user=consenting).withdrawn_at is None
    assert SESSION_KEY in owner_client.session


def test_confirming_withdraws_the_application_stops_messages_and_logs_out(consenting, owner_client, in_review):
    response = owner_client.post(reverse("applicants:consent_withdraw"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in owner_client.session
    assert ConsentRecord.objects.get(user=consenting).withdrawn_at is not None
    in_review.refresh_from_db()
    assert in_review.status == "withdrawn"
    event = ApplicationEvent.objects.filter(application=in_review).latest("created_at", "pk")
    assert (event.from_status, event.to_status, event.actor) == ("in_review", "withdrawn", consenting)

    mail.outbox = []
    before = Notification.objects.filter(user=consenting).count()
    notify_received(in_review.pk)
    assert notify(user=consenting, key="test:after", kind="test", subject="Hola", body="x") is None
    assert Notification.objects.filter(user=consenting).count() == before
    assert mail.outbox == []


def test_a_person_without_consent_in_force_is_sent_to_the_consent_page(owner, owner_client):
    response = owner_client.get(reverse("applicants:consent_withdraw"))
    assert response["Location"] == reverse("applicants:consent")
