"""Nobody learns who is registered: sign-up and password reset answer the same, in the same
time, for a known and an unknown address. Mail is written as a notification row and sent by
a task after commit, never inside the request (a slow SMTP server cannot give it away)."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from applicants.models import Notification, User
from applicants.tasks import deliver_notification
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 7
SLOW_SMTP_SECONDS = 0.5


class SlowBackend:
    """Stands in for an SMTP server that takes half a second per message."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(SLOW_SMTP_SECONDS)
        SlowBackend.sent.extend(messages)
        return len(messages)


@pytest.fixture
def queued(monkeypatch, settings):
    """The broker: records what would be queued (a worker sends it later, see the end of each test)."""
    settings.EMAIL_BACKEND = "tests.applicants.test_enumeration.SlowBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    SlowBackend.sent = []
    calls: list[tuple] = []
    monkeypatch.setattr("applicants.notify.enqueue", lambda task, *args, **kwargs: calls.append((args, kwargs)))
    cache.clear()
    return calls


def _timed(post) -> tuple[float, object]:
    start = time.perf_counter()
    response = post()
    return time.perf_counter() - start, response


def _compare(known_post, unknown_post):
    known_times, unknown_times, known_pages, unknown_pages = [], [], set(), set()
    for n in range(ROUNDS):
        seconds, response = _timed(lambda n=n: known_post(n))
        known_times.append(seconds)
        known_pages.add((response.status_code, response["Location"], response.content))
        seconds, response = _timed(lambda n=n: unknown_post(n))
        unknown_times.append(seconds)
        unknown_pages.add((response.status_code, response["Location"], response.content))
    return known_times, unknown_times, known_pages, unknown_pages


def test_sign_up_answers_the_same_for_a_registered_address(queued):
    UserFactory(email="ana@example.co")

    def sign_up(email):
        client = Client()
        response = client.post(
            reverse("applicants:register"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
        )
        page = client.get(response["Location"]).content.decode().replace(email, "EMAIL")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", page)  # one per session
        response.content = page.encode()
        return response

    known_times, unknown_times, known_pages, unknown_pages = _compare(
        lambda n: sign_up("ana@example.co"), lambda n: sign_up(f"nueva{n}@example.co")
    )

    assert known_pages == unknown_pages
    assert len(known_pages) == 1
    # Both paths hash the password (Argon2, at its real cost): the same work, the same time.
    assert abs(statistics.median(known_times) - statistics.median(unknown_times)) < 0.1
    assert SlowBackend.sent == []  # no mail inside the request

    # The worker sends what was queued: a link to each new address, a notice to the registered one.
    for args, kwargs in queued:
        deliver_notification.apply(args=args, kwargs=kwargs)
    to_ana = [m for m in SlowBackend.sent if m.to == ["ana@example.co"]]
    assert [m.subject for m in to_ana] == ["Ya tiene una cuenta en Retorno Productivo"] * ROUNDS
    assert User.objects.filter(email__startswith="nueva").count() == ROUNDS
    assert Notification.objects.filter(kind="account_exists", in_inbox=False).count() == ROUNDS


def test_password_reset_answers_the_same_and_mails_after_the_request(queued):
    UserFactory(email="ana@example.co")

    def reset(email):
        return Client().post(reverse("applicants:password_reset"), {"email": email})

    known_times, unknown_times, known_pages, unknown_pages = _compare(
        lambda n: reset("ana@example.co"), lambda n: reset(f"nadie{n}@example.co")
    )

    assert known_pages == unknown_pages == {(302, reverse("applicants:password_reset_done"), b"")}
    assert abs(statistics.median(known_times) - statistics.median(unknown_times)) < 0.1
    assert max(known_times + unknown_times) < SLOW_SMTP_SECONDS
    assert SlowBackend.sent == []
    assert len(queued) == ROUNDS

    for args, kwargs in queued:
        deliver_notification.apply(args=args, kwargs=kwargs)
    assert [m.to for m in SlowBackend.sent] == [["ana@example.co"]] * ROUNDS
    assert mail.outbox == []
