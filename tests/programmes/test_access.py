"""Who may open what, for every programme URL (enumerated from the URL patterns, like
tests/loans/test_access.py): the returnee who owns the enrolment, a stranger, the enrolment's
mentor and another mentor, the programme's operator and another operator, and anonymous."""

import pytest
from django.test import Client
from django.urls import reverse

from loans.programmes.models import Attendance, Enrolment, PlanComment
from loans.programmes.urls import urlpatterns

pytestmark = pytest.mark.django_db

NAMES = sorted(p.name for p in urlpatterns)
PUBLIC = {"programmes", "programme_detail"}
POST_ONLY = {
    "cohort_enrol",
    "enrolment_plan",
    "enrolment_certificate",
    "enrolment_comment",
    "enrolment_withdraw",
    "operator_attendance",
    "operator_complete",
    "operator_verify_certificate",
    "operator_assign_mentor",
}
# Who may use each URL; everyone else (signed in) gets 404, anonymous is sent to log in.
ALLOWED = {
    "programmes": "everyone",
    "programme_detail": "everyone",
    "cohort_enrol": "any returnee",
    "enrolments": "any returnee",
    "enrolment_detail": {"owner"},
    "enrolment_plan": {"owner"},
    "enrolment_certificate": {"owner"},
    "enrolment_certificate_download": {"owner"},
    "enrolment_comment": {"owner"},
    "enrolment_withdraw": {"owner"},
    "mentor_home": {"mentor", "other_mentor"},
    "mentor_enrolment": {"mentor"},
    "operator_home": {"operator", "other_operator"},
    "operator_cohort": {"operator"},
    "operator_attendance": {"operator"},
    "operator_complete": {"operator"},
    "operator_verify_certificate": {"operator"},
    "operator_assign_mentor": {"operator"},
    "operator_certificate_download": {"operator"},
}
ROLES = ["owner", "stranger", "mentor", "other_mentor", "operator", "other_operator"]
OBJECT_URLS = sorted(
    name for name, who in ALLOWED.items() if isinstance(who, set) and name not in {"mentor_home", "operator_home"}
)


@pytest.fixture
def enrolment(enrolment, owner):
    """The shared enrolment, with a certificate uploaded so its downloads exist."""
    from django.core.files.base import ContentFile

    from loans.programmes import services

    services.certificate_upload(enrolment=enrolment, user=owner, name="c.pdf", content=ContentFile(b"%PDF-1.4\n"))
    return enrolment


def _url(name, enrolment):
    kwargs = {}
    if name in {"programme_detail"}:
        kwargs = {"public_id": enrolment.cohort.programme.public_id}
    elif name == "cohort_enrol" or name == "operator_cohort":
        kwargs = {"public_id": enrolment.cohort.public_id}
    elif name not in {"programmes", "enrolments", "mentor_home", "operator_home"}:
        kwargs = {"public_id": enrolment.public_id}
    return reverse(f"loans:{name}", kwargs=kwargs or None)


def _state(enrolment):
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    return (
        enrolment.status,
        enrolment.mentor_id,
        enrolment.plan_id,
        bool(enrolment.certificate),
        enrolment.certificate_verified_at,
        Attendance.objects.count(),
        PlanComment.objects.count(),
    )


@pytest.fixture
def clients(owner_client, stranger_client, mentor_client, other_mentor_client, operator_client, other_operator_client):
    return dict(
        zip(
            ROLES,
            [
                owner_client,
                stranger_client,
                mentor_client,
                other_mentor_client,
                operator_client,
                other_operator_client,
            ],
            strict=True,
        )
    )


def _request(client, name, url):
    data = {"body": "Hola", "session_on": "2000-01-01", "present": "True"}
    return client.post(url, data) if name in POST_ONLY else client.get(url)


def test_every_programme_url_is_listed_here():
    assert sorted(ALLOWED) == NAMES


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_allowed_role_reaches_an_object_and_others_change_nothing(name, role, clients, enrolment):
    before = _state(enrolment)

    response = _request(clients[role], name, _url(name, enrolment))

    if role in ALLOWED[name]:
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 404
        assert _state(enrolment) == before


@pytest.mark.parametrize("name", ["mentor_home", "operator_home"])
@pytest.mark.parametrize("role", ROLES)
def test_role_home_pages_are_only_for_their_role(name, role, clients, enrolment):
    response = clients[role].get(_url(name, enrolment))

    assert response.status_code == (200 if role in ALLOWED[name] else 404)


def test_a_mentor_sees_only_their_own_mentees(mentor_client, other_mentor_client, enrolment):
    mine = mentor_client.get("/mentoria/")
    theirs = other_mentor_client.get("/mentoria/")

    assert list(mine.context["enrolments"]) == [enrolment]
    assert list(theirs.context["enrolments"]) == []


def test_an_operator_sees_only_their_own_cohorts(operator_client, other_operator_client, enrolment):
    assert list(operator_client.get("/operador/").context["cohorts"]) == [enrolment.cohort]
    assert list(other_operator_client.get("/operador/").context["cohorts"]) == []


@pytest.mark.parametrize("name", [n for n in NAMES if n not in PUBLIC])
def test_anonymous_is_sent_to_log_in(name, client, enrolment):
    before = _state(enrolment)

    response = _request(client, name, _url(name, enrolment))

    assert response.status_code == 302
    assert "/cuenta/entrar/" in response["Location"] or "/admin/login/" in response["Location"]
    assert _state(enrolment) == before


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_every_post_without_a_csrf_token_is_refused(name, owner, operator, enrolment):
    from tests.conftest import otp_verified_client

    client = otp_verified_client(operator) if name.startswith("operator_") else Client(enforce_csrf_checks=True)
    client.handler.enforce_csrf_checks = True
    if not name.startswith("operator_"):
        client.force_login(owner)
    before = _state(enrolment)

    response = client.post(_url(name, enrolment), {"body": "Hola"})

    assert response.status_code == 403
    assert _state(enrolment) == before


def test_an_operator_cannot_read_other_operators_enrolments_in_the_admin(other_operator_client, enrolment):
    assert other_operator_client.get("/admin/loans/enrolment/").status_code == 403
    assert other_operator_client.get(f"/admin/loans/enrolment/{enrolment.pk}/change/").status_code == 403
