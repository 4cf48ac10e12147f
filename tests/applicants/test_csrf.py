"""Every POST endpoint of the applicants app refuses a request without a CSRF token, and the
refused request changes nothing. The endpoints are read from the URLconf, so a new POST view
that nobody lists here fails the coverage test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from applicants.models import ConsentRecord, DeletionRequest, Notification, ReturneeProfile, User
from applicants.selectors import PROFILE_STEPS
from applicants.urls import urlpatterns
from tests.applicants.pages import text_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "otra-clave-mucho-mas-larga-2027"
# Views that only show something; a POST to them still needs the token (checked below), but
# they have no POST behaviour of their own to cover.
GET_ONLY = {
    "verify_email_sent",
    "verify_email",
    "password_reset_done",
    "password_reset_complete",
    "dashboard",
    "consent",
    "inbox",
    "profile_start",
    "profile_summary",
    "data_export_json",
    "data_export_pdf",
}
URL_NAMES = {pattern.name for pattern in urlpatterns}


@dataclass(frozen=True)
class World:
    user: User
    profile: ReturneeProfile
    notification: Notification


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: Callable[[World, Client], str]
    data: dict[str, str]
    label: str = ""

    def __str__(self) -> str:
        return self.label or self.name


def _reset_form_url(world: World, client: Client) -> str:
    """The set-password form: Django moves the token from the link into the session first."""
    from django.contrib.auth.tokens import default_token_generator

    uid = urlsafe_base64_encode(force_bytes(world.user.pk))
    link = reverse("applicants:password_reset_confirm", args=[uid, default_token_generator.make_token(world.user)])
    response = client.get(link)
    assert response.status_code == 302
    return response["Location"]


def _step(slug: str, data: dict[str, str]) -> Endpoint:
    return Endpoint(
        "profile_step",
        lambda world, client: reverse("applicants:profile_step", args=[world.profile.public_id, slug]),
        data,
        label=f"profile_step:{slug}",
    )


POST_ENDPOINTS = [
    Endpoint(
        "register",
        lambda world, client: reverse("applicants:register"),
        {"email": "nueva@example.co", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "consent": "on"},
    ),
    Endpoint("login", lambda world, client: reverse("applicants:login"), {"username": "", "password": PASSWORD}),
    Endpoint("logout", lambda world, client: reverse("applicants:logout"), {}),
    Endpoint("verify_email_resend", lambda world, client: reverse("applicants:verify_email_resend"), {}),
    Endpoint("language", lambda world, client: reverse("applicants:language"), {"language": "en", "next": "/"}),
    _step(
        "identity",
        {
            "document_type": "CC",
            "document_number": "79888777",
            "is_colombian_national": "True",
            "first_names": "Otro",
            "last_names": "Nombre",
            "birth_date": "1970-01-01",
            "sex": "M",
        },
    ),
    _step("contact", {"phone": "310 555 0000"}),
    _step("residence", {"department": "05", "municipality": "05001", "address": "Otra dirección 1"}),
    _step(
        "return",
        {
            "country_returned_from": "ES",
            "departure_date": "2010-01-01",
            "return_date": "2024-01-01",
            "return_type": "laboral",
            "forced_return": "True",
            "rur_number": "RUR-1",
        },
    ),
    _step("household", {"education_level": "university", "household_size": "9"}),
    _step(
        "declarations",
        {
            "declares_no_custodial_sentence": "on",
            "declares_no_public_admin_conviction": "on",
            "declares_benefits_not_used": "on",
            "declares_truthful": "on",
        },
    ),
    Endpoint(
        "deletion_request",
        lambda world, client: reverse("applicants:deletion_request", args=[world.profile.public_id]),
        {"reason": "Ya no lo necesito", "confirm": "on"},
    ),
    Endpoint(
        "notification_open",
        lambda world, client: reverse("applicants:notification_open", args=[world.notification.pk]),
        {},
    ),
    Endpoint("password_reset", lambda world, client: reverse("applicants:password_reset"), {"email": ""}),
    Endpoint("consent_withdraw", lambda world, client: reverse("applicants:consent_withdraw"), {}),
    Endpoint(
        "password_reset_confirm",
        _reset_form_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
]


def test_every_post_endpoint_of_the_app_is_covered():
    assert GET_ONLY <= URL_NAMES
    assert {endpoint.name for endpoint in POST_ENDPOINTS} == URL_NAMES - GET_ONLY
    steps = {str(endpoint) for endpoint in POST_ENDPOINTS if endpoint.name == "profile_step"}
    assert steps == {f"profile_step:{step.slug}" for step in PROFILE_STEPS}


@pytest.fixture
def world(owner) -> World:
    # Unconfirmed, so that asking for a new confirmation link would send one.
    User.objects.filter(pk=owner.pk).update(email_verified_at=None)
    owner.refresh_from_db()
    # A profile that has not started the later steps, so every step's POST would write something.
    ReturneeProfile.objects.filter(user=owner).update(
        household_size=None, education_level="", declares_truthful=False, declarations_accepted_at=None
    )
    # A consent in force, so that withdrawing it would write something.
    ConsentRecord.objects.create(user=owner, version="test", language="es", text="Autorizo.")
    notification = Notification.objects.create(
        key=f"test:{owner.pk}", user=owner, kind="test", subject="Hola", body="Un mensaje", link="/cuenta/"
    )
    return World(user=owner, profile=owner.profile, notification=notification)


def db_state() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values()),
        "profiles": list(ReturneeProfile.objects.order_by("pk").values()),
        "consents": list(ConsentRecord.objects.order_by("pk").values()),
        "deletion_requests": list(DeletionRequest.objects.order_by("pk").values()),
        "notifications": list(Notification.objects.order_by("pk").values()),
        "sessions": sorted(Session.objects.values_list("session_key", flat=True)),
    }


def _filled(endpoint: Endpoint, world: World) -> dict[str, str]:
    data = dict(endpoint.data)
    for field in ("username", "email"):
        if data.get(field) == "":
            data[field] = world.user.email
    return data


def _csrf_client(world: World, *, logged_in: bool) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    if logged_in:
        client.force_login(world.user)
    return client


@pytest.mark.parametrize("logged_in", [True, False], ids=["logged-in", "anonymous"])
@pytest.mark.parametrize("endpoint", POST_ENDPOINTS, ids=str)
def test_a_post_without_a_token_is_refused_and_changes_nothing(
    endpoint, logged_in, world, django_capture_on_commit_callbacks
):
    client = _csrf_client(world, logged_in=logged_in)
    url = endpoint.url(world, client)
    before = db_state()
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, _filled(endpoint, world))

    assert response.status_code == 403
    assert callbacks == []
    assert text_of(response.content, "main").startswith("The form expired For your security, the form could not")
    assert "django_language" not in response.cookies
    assert db_state() == before
    assert mail.outbox == []
    if logged_in:
        assert client.get(reverse("applicants:dashboard")).status_code == 200


@pytest.mark.parametrize("name", sorted(GET_ONLY))
def test_a_post_to_a_page_that_only_shows_is_refused_too(name, world):
    client = _csrf_client(world, logged_in=True)
    args = {
        "verify_email": ["MQ", "token"],
        "profile_summary": [world.profile.public_id],
        "data_export_json": [world.profile.public_id],
        "data_export_pdf": [world.profile.public_id],
    }.get(name, [])
    before = db_state()

    assert client.post(reverse(f"applicants:{name}", args=args)).status_code == 403
    assert db_state() == before


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS, ids=str)
def test_the_same_post_with_the_token_gets_through(endpoint, world, django_capture_on_commit_callbacks):
    """The control: the refusals above are the token's doing, not a request that does nothing."""
    client = _csrf_client(world, logged_in=endpoint.name not in {"register", "login"})
    url = endpoint.url(world, client)
    client.get(reverse("home"))
    data = {**_filled(endpoint, world), "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    before = db_state()
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    assert db_state() != before or len(mail.outbox) == 1
