"""Rate limits: the request past the limit gets a friendly 429 in the person's language, and
the window's end lets the next one through. Counted per client address (the one the trusted
proxy saw), per target address, or per account."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, CompleteProfileFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BUSY_ES = "Recibimos muchas solicitudes suyas en poco tiempo."
BUSY_EN = "We received many requests from you in a short time."


@pytest.fixture(autouse=True)
def _real_rates(settings):
    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "3/h", "password_reset": "100/h"}
    settings.RATE_LIMITS["password_reset_email"] = "2/h"
    settings.RATE_LIMITS["login"] = "4/10m"
    settings.RATE_LIMITS["verification_resend"] = "2/h"
    settings.RATE_LIMITS["simulator"] = "2/h"
    settings.RATE_LIMITS["self_check"] = "2/h"
    settings.RATE_LIMITS["export"] = "2/h"
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """django-ratelimit's clock, moved by hand to cross a window."""
    import time as real_time

    class Clock:
        now = real_time.time()

        def time(self):
            return self.now

    fake = Clock()
    monkeypatch.setattr("django_ratelimit.core.time", fake)
    return fake


def _sign_up(client: Client, n: int):
    return client.post(
        reverse("applicants:register"),
        {"email": f"nueva{n}@example.co", "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
    )


def test_sign_up_is_refused_after_the_limit_and_allowed_after_the_window(clock):
    client = Client(REMOTE_ADDR="203.0.113.10")
    assert [_sign_up(client, n).status_code for n in range(3)] == [302, 302, 302]

    refused = _sign_up(client, 3)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert BUSY_ES in refused.content.decode()
    assert "429.html" in [t.name for t in refused.templates]

    clock.now += 60 * 60 + 1
    assert _sign_up(client, 4).status_code == 302


def test_the_429_page_speaks_the_persons_language():
    client = Client(REMOTE_ADDR="203.0.113.11")
    client.cookies["django_language"] = "en"
    for n in range(3):
        _sign_up(client, n)
    response = _sign_up(client, 3)
    assert response.status_code == 429
    assert BUSY_EN in response.content.decode()


def test_behind_the_proxy_each_person_has_their_own_count(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    for n in range(3):
        _sign_up(first, n)
    assert _sign_up(first, 3).status_code == 429
    # A forged left-most entry does not help: the proxy's own entry is the one counted.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert _sign_up(forged, 4).status_code == 429
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _sign_up(second, 5).status_code == 302


def test_password_reset_mails_one_victim_at_most_the_limit(clock):
    UserFactory(email="victima@example.co")
    codes = [
        Client(REMOTE_ADDR=f"203.0.113.{20 + n}")
        .post(reverse("applicants:password_reset"), {"email": "VICTIMA@example.co"})
        .status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 429, 429]
    assert len(mail.outbox) == 2

    clock.now += 60 * 60 + 1
    response = Client(REMOTE_ADDR="203.0.113.99").post(
        reverse("applicants:password_reset"), {"email": "victima@example.co"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 3


def test_login_attempts_from_one_address_are_limited_across_accounts():
    client = Client(REMOTE_ADDR="203.0.113.30")
    codes = [
        client.post(reverse("applicants:login"), {"username": f"p{n}@example.co", "password": "x"}).status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]


def test_verification_resends_are_limited_per_account():
    user = UserFactory(email_verified_at=None)
    client = Client()
    client.force_login(user)
    codes = [client.post(reverse("applicants:verify_email_resend")).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("name", "query"),
    [("loans:simulator", {"amount": "1000000"}), ("loans:self_check", {"age": "30"})],
)
def test_simulator_and_self_check_are_limited_only_when_they_compute(name, query):
    client = Client(REMOTE_ADDR="203.0.113.40")
    assert [client.get(reverse(name)).status_code for _ in range(5)] == [200] * 5
    assert [client.get(reverse(name), query).status_code for _ in range(3)] == [200, 200, 429]


def test_the_personal_data_export_is_limited_per_account():
    profile = CompleteProfileFactory()
    client = Client()
    client.force_login(profile.user)
    url = reverse("applicants:data_export_json", args=[profile.public_id])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
