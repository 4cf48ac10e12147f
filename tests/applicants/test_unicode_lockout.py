"""Every spelling of an address is one account: for login, lockout and uniqueness.

The bypass this guards against: five failures locked ``x@gmail.com``, then ``x@gmaıl.com``
(dotless ı) matched the same account through a case-insensitive lookup and got five fresh
attempts and, with the right password, a session.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from applicants.emails import normalize_email
from applicants.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "X@GMAIL.COM",  # case
    "ｘ@ｇｍａｉｌ.ｃｏｍ",  # fullwidth
    "x@gmaıl.com",  # dotless ı: another domain, never this account
    "x@gmaİl.com",  # dotted capital İ
]


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("X@GMAIL.COM", "x@gmail.com"),
        ("ｘ@ｇｍａｉｌ.ｃｏｍ", "x@gmail.com"),
        ("ſx@gmail.com", "sx@gmail.com"),  # long s folds to s (NFKC)
        ("x@gmaıl.com", "x@xn--gmal-nza.com"),
        ("  Ana@Bücher.DE ", "ana@xn--bcher-kva.de"),
    ],
)
def test_an_address_has_one_spelling(spelling, canonical):
    assert normalize_email(spelling) == canonical


def _log_in(email: str, password: str):
    client = Client(REMOTE_ADDR="203.0.113.9")
    return client, client.post(reverse("applicants:login"), {"username": email, "password": password})


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_spelling_escapes_the_lock(spelling):
    UserFactory(email="x@gmail.com")
    for _attempt in range(5):
        _log_in("x@gmail.com", "not-the-password")

    client, response = _log_in(spelling, PASSWORD)

    assert response.status_code in (200, 429)
    assert SESSION_KEY not in client.session


def test_spellings_share_one_failure_count():
    UserFactory(email="sx@gmail.com")
    for spelling in ["ſx@gmail.com", "SX@GMAIL.COM", "ｓｘ@gmail.com", "sx@ｇｍａｉｌ.com", "ſX@Gmail.com"]:
        _log_in(spelling, "not-the-password")

    client, response = _log_in("sx@gmail.com", PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_lookalike_domain_is_another_address_and_does_not_log_in():
    UserFactory(email="x@gmail.com")
    client, response = _log_in("x@gmaıl.com", PASSWORD)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_fullwidth_and_case_spellings_log_in_to_the_one_account():
    user = UserFactory(email="x@gmail.com")
    client, response = _log_in("Ｘ@GMAIL.com", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_registration_stores_the_one_spelling(client):
    client.post(
        reverse("applicants:register"),
        {"email": "ＡＮＡ@Bücher.DE", "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
    )
    assert list(User.objects.values_list("email", flat=True)) == ["ana@xn--bcher-kva.de"]
