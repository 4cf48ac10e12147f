"""Colombians still abroad: profile, phones of any country, waiting to send, the reminder."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applicants.models import Notification, ReturneeProfile
from applicants.reminders import remind_planned_returns
from applicants.selectors import profile_is_complete
from loans.applications import services
from loans.applications.services import ApplicationError
from loans.choices import ApplicationStatus

pytestmark = pytest.mark.django_db


def _step(client, profile, step, data):
    return client.post(reverse("applicants:profile_step", args=[profile.public_id, step]), data)


@pytest.fixture
def abroad(owner, owner_client):
    """The owner tells the portal they still live in New York."""
    profile = owner.profile
    response = _step(
        owner_client,
        profile,
        "residence",
        {
            "lives_abroad": "on",
            "abroad_country": "US",
            "abroad_city": "New York",
            "abroad_address": "123 W 45th St, New York, NY 10036",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    return profile


def test_a_us_phone_is_saved_in_e164_when_the_country_is_chosen_or_typed_with_plus(owner, owner_client):
    profile = owner.profile

    chosen = _step(owner_client, profile, "contact", {"phone_country": "US", "phone": "(212) 555-0123"})
    profile.refresh_from_db()
    assert (chosen.status_code, profile.phone) == (302, "+12125550123")

    typed = _step(owner_client, profile, "contact", {"phone_country": "CO", "phone": "+34 612 345 678"})
    profile.refresh_from_db()
    assert (typed.status_code, profile.phone) == (302, "+34612345678")


def test_a_number_without_country_code_that_is_not_colombian_is_refused_and_nothing_saved(owner, owner_client):
    profile = owner.profile
    before = profile.phone

    response = _step(owner_client, profile, "contact", {"phone_country": "CO", "phone": "212 555 0123"})

    assert response.status_code == 200
    assert "This is not a valid Colombian phone number" in response.content.decode()
    assert "type it with + and its code" in response.content.decode()
    profile.refresh_from_db()
    assert profile.phone == before


def test_someone_abroad_gives_a_planned_return_date_not_a_return_date(abroad, owner_client):
    assert abroad.return_date is None  # moving abroad clears the return that has not happened
    planned = timezone.localdate() + timedelta(days=180)

    response = _step(
        owner_client,
        abroad,
        "return",
        {
            "country_returned_from": "US",
            "departure_date": "2018-05-20",
            "planned_return_date": planned.isoformat(),
            "return_type": "productivo",
            "forced_return": "False",
        },
    )

    assert response.status_code == 302
    abroad.refresh_from_db()
    assert (abroad.planned_return_date, abroad.return_date) == (planned, None)
    assert profile_is_complete(abroad)


def test_a_planned_return_date_in_the_past_is_refused_with_a_clear_message(abroad, owner_client):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = _step(
        owner_client,
        abroad,
        "return",
        {
            "country_returned_from": "US",
            "departure_date": "2018-05-20",
            "planned_return_date": yesterday.isoformat(),
            "return_type": "productivo",
            "forced_return": "False",
        },
    )

    assert response.status_code == 200
    assert "The planned return date is in the past." in response.content.decode()
    assert ReturneeProfile.objects.get(pk=abroad.pk).planned_return_date is None


def test_a_return_date_in_the_future_is_refused_and_points_to_still_abroad(owner, owner_client):
    response = _step(
        owner_client,
        owner.profile,
        "return",
        {
            "country_returned_from": "US",
            "departure_date": "2018-05-20",
            "return_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "return_type": "productivo",
            "forced_return": "False",
        },
    )

    assert response.status_code == 200
    assert "tick “I still live abroad”" in response.content.decode()


def test_a_deported_person_may_leave_the_departure_date_empty(owner, owner_client):
    data = {
        "country_returned_from": "US",
        "departure_date": "",
        "return_date": timezone.localdate().isoformat(),
        "return_type": "productivo",
    }

    refused = _step(owner_client, owner.profile, "return", {**data, "forced_return": "False"})
    accepted = _step(owner_client, owner.profile, "return", {**data, "forced_return": "True"})

    assert "Only after a forced return may you leave it empty." in refused.content.decode()
    assert accepted.status_code == 302
    owner.profile.refresh_from_db()
    assert owner.profile.departure_date is None
    assert profile_is_complete(owner.profile)


def test_someone_still_abroad_cannot_send_and_is_told_why(ready_draft, owner):
    ReturneeProfile.objects.filter(user=owner).update(
        lives_abroad=True, return_date=None, planned_return_date=timezone.localdate() + timedelta(days=90)
    )

    with pytest.raises(ApplicationError, match="You still live abroad, so the application cannot be sent yet"):
        services.application_submit(application=ready_draft, user=owner)

    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.DRAFT


def test_the_reminder_asks_once_on_the_planned_date(owner, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    ReturneeProfile.objects.filter(user=owner).update(lives_abroad=True, planned_return_date=today)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        first = remind_planned_returns(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        second = remind_planned_returns(today=today)

    assert (first, second) == (1, 0)
    notification = Notification.objects.get(user=owner, kind="planned_return")
    assert notification.link == reverse("applicants:profile_step", args=[owner.profile.public_id, "residence"])
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_the_reminder_skips_future_dates_and_people_back_home(owner, stranger):
    today = timezone.localdate()
    ReturneeProfile.objects.filter(user=owner).update(lives_abroad=True, planned_return_date=today + timedelta(1))
    ReturneeProfile.objects.filter(user=stranger).update(lives_abroad=False, planned_return_date=today)

    assert remind_planned_returns(today=today) == 0
    assert not Notification.objects.filter(kind="planned_return").exists()


def test_the_reminder_is_a_beat_job():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(task="applicants.remind_planned_returns").enabled
