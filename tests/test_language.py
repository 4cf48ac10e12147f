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
