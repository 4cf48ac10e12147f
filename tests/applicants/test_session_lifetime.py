"""Staff sessions end at browser close and 8 hours after login; a returnee's after 7 days
without a visit (both from settings)."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from portal.middleware import SessionLifetimeMiddleware
from tests.conftest import otp_verified_client
from tests.factories import CompleteProfileFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    import time as real_time

    class Clock:
        now = real_time.time()

        def time(self):
            return self.now

    fake = Clock()
    monkeypatch.setattr("time.time", fake.time)
    return fake


def test_the_settings_say_seven_days_idle_and_eight_hours(settings):
    assert settings.RETURNEE_SESSION_IDLE_SECONDS == 7 * 24 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.RETURNEE_SESSION_IDLE_SECONDS
    assert settings.STAFF_SESSION_MAX_SECONDS == 8 * 60 * 60


def test_a_staff_session_cookie_dies_with_the_browser():
    staff = StaffFactory()
    client = Client()
    response = client.post(reverse("applicants:login"), {"username": staff.email, "password": "x" * 12})
    assert response.status_code == 200  # wrong password: nothing set
    client.force_login(staff)
    assert client.session.get_expire_at_browser_close() is True
    assert SessionLifetimeMiddleware.STAFF_SINCE in client.session


def test_a_staff_session_ends_after_eight_hours(clock, program_officer_client):
    assert program_officer_client.get(reverse("admin:index")).status_code == 200

    clock.now += 8 * 60 * 60 - 60
    assert program_officer_client.get(reverse("admin:index")).status_code == 200

    clock.now += 120
    response = program_officer_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert SESSION_KEY not in program_officer_client.session


def test_a_returnee_stays_logged_in_while_visiting_and_the_cookie_lasts_seven_days():
    profile = CompleteProfileFactory()
    client = Client()
    client.force_login(profile.user)
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == 7 * 24 * 60 * 60
    assert client.get(reverse("applicants:dashboard")).status_code == 200


@pytest.fixture
def program_officer_client(db):
    from django.contrib.auth.models import Group

    officer = StaffFactory()
    officer.groups.add(Group.objects.get(name="Program officer"))
    return otp_verified_client(officer)
