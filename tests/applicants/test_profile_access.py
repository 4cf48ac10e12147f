"""Only the owner reaches a profile by its id: a stranger and an officer get 404 on the portal
(officers work in the admin), and an anonymous visitor is sent to log in."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applicants.models import DeletionRequest, ReturneeProfile
from applicants.selectors import PROFILE_STEPS
from tests.applicants.pages import form_values

pytestmark = pytest.mark.django_db

EXPORTS = {"data_export_json", "data_export_pdf"}
PAGES = ["profile_summary", "deletion_request", *(f"profile_step:{step.slug}" for step in PROFILE_STEPS)]
URL_NAMES = [*PAGES, *sorted(EXPORTS)]


def pdf_text(content: bytes) -> str:
    """The text drawn on the pages, read by a PDF parser: fpdf2 compresses each page's stream,
    and compressed bytes may end in anything, a carriage return included."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def url_for(name: str, profile: ReturneeProfile) -> str:
    if name.startswith("profile_step:"):
        return reverse("applicants:profile_step", args=[profile.public_id, name.split(":")[1]])
    return reverse(f"applicants:{name}", args=[profile.public_id])


def test_every_url_that_takes_a_profile_id_is_covered():
    from applicants.urls import urlpatterns

    taking_an_id = {p.name for p in urlpatterns if "<uuid:public_id>" in str(p.pattern)}
    assert taking_an_id == {name.split(":")[0] for name in URL_NAMES}


@pytest.fixture
def english(owner_client, stranger_client, officer_client):
    for client in (owner_client, stranger_client, officer_client):
        client.cookies["django_language"] = "en"


@pytest.mark.parametrize("name", URL_NAMES)
def test_a_stranger_gets_404(name, owner, stranger_client, english):
    assert stranger_client.get(url_for(name, owner.profile)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_an_officer_gets_404_on_the_portal(name, owner, officer_client, english):
    assert officer_client.get(url_for(name, owner.profile)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_an_anonymous_visitor_is_sent_to_log_in(name, owner, client):
    url = url_for(name, owner.profile)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('applicants:login')}?next={url}"


def test_an_unknown_profile_id_is_404_even_for_a_returnee(owner_client):
    url = reverse("applicants:profile_summary", args=["00000000-0000-4000-8000-000000000000"])
    assert owner_client.get(url).status_code == 404


def test_an_unknown_step_is_404(owner, owner_client):
    url = reverse("applicants:profile_step", args=[owner.profile.public_id, "passwords"])
    assert owner_client.get(url).status_code == 404


@pytest.mark.parametrize("slug", [step.slug for step in PROFILE_STEPS])
def test_a_stranger_cannot_write_the_owners_steps(slug, owner, stranger_client):
    before = ReturneeProfile.objects.values().get(pk=owner.profile.pk)
    url = reverse("applicants:profile_step", args=[owner.profile.public_id, slug])
    data = {"phone": "310 555 0000", "address": "Otra calle", "household_size": "9", "document_number": "999999"}

    assert stranger_client.post(url, data).status_code == 404
    assert ReturneeProfile.objects.values().get(pk=owner.profile.pk) == before


def test_a_stranger_cannot_ask_to_delete_the_owners_data(owner, stranger, stranger_client):
    url = reverse("applicants:deletion_request", args=[owner.profile.public_id])
    response = stranger_client.post(url, {"confirm": "on", "reason": "no"})
    assert response.status_code == 404
    assert not DeletionRequest.objects.exists()


def test_the_owner_sees_their_summary(owner, stranger, owner_client, english):
    response = owner_client.get(url_for("profile_summary", owner.profile))
    assert response.status_code == 200
    body = response.content.decode()
    profile = owner.profile
    assert f"Citizenship card (cédula de ciudadanía) {profile.document_number}" in body
    assert owner.email in body
    assert f"{profile.first_names} {profile.last_names}" in body
    assert stranger.email not in body
    assert stranger.profile.document_number not in body


def test_the_owner_sees_their_answers_in_every_step(owner, owner_client, english):
    profile = owner.profile
    shown = {
        step.slug: form_values(owner_client.get(url_for(f"profile_step:{step.slug}", profile)).content)
        for step in PROFILE_STEPS
    }
    assert shown["identity"] == {
        "document_type": "CC",
        "document_number": profile.document_number,
        "is_colombian_national": "True",
        "first_names": profile.first_names,
        "last_names": profile.last_names,
        "birth_date": "1985-05-20",
        "sex": "F",
    }
    assert shown["contact"] == {"phone_country": "CO", "phone": f"300 {profile.phone[-7:]}"}
    assert shown["residence"] == {
        "lives_abroad": "",
        "abroad_country": "",
        "abroad_city": "",
        "abroad_address": "",
        "department": "05",
        "municipality": "05001",
        "address": "Calle 10 # 43-25",
    }
    assert shown["return"] == {
        "country_returned_from": "US",
        "departure_date": "2015-01-10",
        "return_date": profile.return_date.isoformat(),
        "return_type": "productivo",
        "forced_return": "False",
        "rur_number": "RUR-123456",
    }
    assert shown["household"] == {"education_level": "secondary", "household_size": "4"}
    assert shown["declarations"] == {
        "declares_no_custodial_sentence": "on",
        "declares_no_public_admin_conviction": "on",
        "declares_benefits_not_used": "on",
        "declares_truthful": "on",
    }


def test_the_owner_sees_the_deletion_request_form(owner, owner_client, english):
    response = owner_client.get(url_for("deletion_request", owner.profile))
    assert response.status_code == 200
    assert form_values(response.content) == {"reason": "", "confirm": ""}
    assert "Send the request" in response.content.decode()


def test_the_json_export_holds_exactly_the_owners_data(owner, stranger, owner_client):
    response = owner_client.get(url_for("data_export_json", owner.profile))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mis-datos-retorno-productivo.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == owner.email
    assert data["profile"]["document_number"] == owner.profile.document_number
    assert data["profile"]["first_names"] == owner.profile.first_names
    body = response.content.decode()
    assert stranger.email not in body
    assert stranger.profile.document_number not in body


def test_the_pdf_export_is_a_private_download_of_the_owners_data(owner, stranger, owner_client):
    response = owner_client.get(url_for("data_export_pdf", owner.profile))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="mis-datos-retorno-productivo.pdf"'
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    lines = text.splitlines()
    assert lines[:3] == ["Sus datos en Retorno Productivo", "Cuenta", f"Correo electrónico: {owner.email}"]
    assert f"Número de documento: {owner.profile.document_number}" in lines
    assert f"Nombres: {owner.profile.first_names}" in lines
    assert stranger.email not in text
    assert stranger.profile.document_number not in text


def test_staff_without_a_profile_are_sent_to_the_admin(officer_client):
    response = officer_client.get(reverse("applicants:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert not ReturneeProfile.objects.filter(user__is_staff=True).exists()


def test_erasure_blanks_the_folded_last_names_and_keeps_the_statistics_exact(db):
    from applicants.models import DeletionRequest, ReturneeProfile
    from applicants.services import returnee_erase
    from loans.reports import summaries
    from tests.factories import CompleteProfileFactory, StaffFactory

    profile = CompleteProfileFactory(last_names="Ibargüen Mosquera")
    assert ReturneeProfile.objects.get(pk=profile.pk).last_names_search == "ibarguen mosquera"
    request = DeletionRequest.objects.create(user=profile.user, reason="")

    returnee_erase(deletion_request=request, handled_by=StaffFactory())

    assert ReturneeProfile.objects.get(pk=profile.pk).last_names_search == ""
    assert summaries.rebuild().differences == 0
