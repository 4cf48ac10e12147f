import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_site_opens_in_spanish_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "es"
    assert 'lang="es"' in response.content.decode()


def test_english_is_one_click_away_and_remembered(client):
    response = client.post(reverse("applicants:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    again = client.get("/")
    assert again.headers["Content-Language"] == "en"
    assert "Loans to start your business back home" in again.content.decode()


def test_a_logged_in_choice_is_saved_on_the_account(owner_client, owner):
    owner_client.post(reverse("applicants:language"), {"language": "en", "next": "/"})
    owner.refresh_from_db()
    assert owner.preferred_language == "en"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ["Referencia", "Solicitante", "Monto", "Estado", "Requisitos y alertas", "Departamento del negocio"]),
        ("en", ["Reference", "Applicant", "Amount", "Status", "Eligibility and flags", "Department of the business"]),
    ],
)
def test_the_officers_queue_speaks_the_readers_language(language, expected):
    from django.contrib.auth.models import Group

    from tests.factories import ProductFactory, StaffFactory
    from tests.review.admin_pages import queued_application, result_table, staff_client

    officer = StaffFactory()
    officer.groups.add(Group.objects.get(name="Program officer"))
    queued_application(product=ProductFactory(), amount=12_000_000)

    headers, rows = result_table(
        staff_client(officer, language=language).get(reverse("admin:loans_loanapplication_changelist"))
    )

    assert headers[:6] == expected
    assert rows[0][2] == ("$12.000.000" if language == "es" else "COP 12,000,000")
    assert rows[0][3] == ("En revisión" if language == "es" else "In review")
