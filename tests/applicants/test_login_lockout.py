"""Logging in: the exact refusal, django-axes locking an email from one address after five
failures, and choosing a new password through the emailed link."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from applicants.models import User
from tests.applicants.pages import form_values, text_of
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRONG = "The email or the password is not correct. After 5 failed attempts the account is locked for 30 minutes."
LOCKED = "There were too many failed attempts to log in to this account. For your safety it is locked for 30 minutes."
STRONG = "cuaderno-de-viaje-a-medellin-2027"


@pytest.fixture
def returnee(db) -> User:
    # English, because logging in sets the language cookie to the account's language.
    return UserFactory(email="ana.lopez@example.co", preferred_language="en")


def english_client(address: str = "203.0.113.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def log_in(client: Client, email: str, password: str):
    return client.post(reverse("applicants:login"), {"username": email, "password": password})


def assert_refused(response) -> None:
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG]
    assert text_of(response.content, "error-summary") == f"There is a problem {WRONG}"
    assert SESSION_KEY not in response.wsgi_request.session


def assert_locked(response) -> None:
    assert response.status_code == 429
    assert "applicants/lockout.html" in [t.name for t in response.templates]
    assert text_of(response.content, "main") == (
        f"Account locked for now {LOCKED} If you forgot your password, you can choose a new one now. "
        "Choose a new password"
    )
    assert SESSION_KEY not in response.wsgi_request.session


def test_a_wrong_password_gets_the_exact_message_and_keeps_the_email(returnee):
    response = log_in(english_client(), "ana.lopez@example.co", "not-the-password")
    assert_refused(response)
    assert form_values(response.content) == {"username": "ana.lopez@example.co"}


def test_an_unknown_email_gets_the_same_message(returnee):
    assert_refused(log_in(english_client(), "nadie@example.co", PASSWORD))


def test_the_right_password_logs_in(returnee):
    client = english_client()
    response = log_in(client, "ana.lopez@example.co", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:dashboard")
    assert client.session[SESSION_KEY] == str(returnee.pk)


def test_five_failures_lock_the_account_even_for_the_right_password(returnee):
    client = english_client()
    for _attempt in range(4):
        assert_refused(log_in(client, "ana.lopez@example.co", "not-the-password"))

    assert_locked(log_in(client, "ana.lopez@example.co", "not-the-password"))
    assert_locked(log_in(client, "ana.lopez@example.co", PASSWORD))
    assert SESSION_KEY not in client.session


def test_the_lock_holds_for_another_spelling_of_the_same_email(returnee):
    client = english_client()
    for attempt in range(5):
        log_in(client, "ana.lopez@example.co" if attempt % 2 else "Ana.Lopez@Example.CO", "not-the-password")

    assert_locked(log_in(client, "ANA.LOPEZ@EXAMPLE.CO", PASSWORD))


def test_the_lock_is_for_the_account_from_every_address_and_only_that_account(returnee):
    other = UserFactory(email="otra@example.co")
    for attempt in range(5):
        log_in(english_client(f"203.0.113.{attempt + 1}"), "ana.lopez@example.co", "not-the-password")

    assert_locked(log_in(english_client("198.51.100.20"), "ana.lopez@example.co", PASSWORD))
    assert log_in(english_client("203.0.113.1"), other.email, PASSWORD).status_code == 302


def test_choosing_a_new_password_lifts_the_lock(returnee):
    for _attempt in range(5):
        log_in(english_client(), "ana.lopez@example.co", "not-the-password")
    client = english_client()
    link = _reset_link(client, "ana.lopez@example.co")
    form_url = client.get(link)["Location"]
    assert client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302

    assert log_in(english_client(), "ana.lopez@example.co", STRONG).status_code == 302


def test_a_successful_login_before_the_limit_starts_the_count_again(returnee):
    client = english_client()
    for _attempt in range(4):
        assert_refused(log_in(client, "ana.lopez@example.co", "not-the-password"))
    assert log_in(client, "ana.lopez@example.co", PASSWORD).status_code == 302
    client.post(reverse("applicants:logout"))

    for _attempt in range(4):
        assert_refused(log_in(client, "ana.lopez@example.co", "not-the-password"))
    assert log_in(client, "ana.lopez@example.co", PASSWORD).status_code == 302


def _reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("applicants:password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert message.subject == "Choose a new password for Retorno Productivo"
    return re.search(r"https?://[^/\s]+(/cuenta/clave/[^/\s]+/[^/\s]+/)", message.body).group(1)


def test_a_password_reset_refuses_a_weak_password_and_accepts_a_strong_one(returnee):
    client = english_client()
    link = _reset_link(client, "ana.lopez@example.co")
    form_url = client.get(link)["Location"]
    assert form_url.endswith("/set-password/")

    weak = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})

    assert weak.status_code == 200
    messages = [
        "This password is too short. It must contain at least 10 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert weak.context["form"].errors == {"new_password2": messages}
    assert text_of(weak.content, "id_new_password2_error") == " ".join(messages)
    returnee.refresh_from_db()
    assert returnee.check_password(PASSWORD)

    strong = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})

    assert strong.status_code == 302
    assert strong["Location"] == reverse("applicants:password_reset_complete")
    returnee.refresh_from_db()
    assert returnee.check_password(STRONG)
    assert_refused(log_in(english_client(), "ana.lopez@example.co", PASSWORD))
    assert log_in(english_client(), "ana.lopez@example.co", STRONG).status_code == 302
    # The link is spent once the password changes.
    spent = client.get(link)
    assert spent.status_code == 200
    assert spent.context["validlink"] is False


def test_a_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(returnee):
    response = english_client().post(reverse("applicants:password_reset"), {"email": "nadie@example.co"})
    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:password_reset_done")
    assert mail.outbox == []
