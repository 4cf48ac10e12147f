"""The consent page speaks the reader's language and still shows the text as accepted."""

import pytest
from django.conf import settings
from django.utils import translation

from applicants.consent import CONSENT_VERSION, consent_text
from tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db


def _text(language: str) -> str:
    with translation.override(language):
        return consent_text()


def test_an_english_reader_sees_the_current_text_in_english_and_the_spanish_one_accepted(owner, owner_client):
    ConsentFactory(user=owner, version=CONSENT_VERSION, language="es", text=_text("es"))
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = owner_client.get("/cuenta/consentimiento/").content.decode()

    assert _text("en").startswith("I authorise the Retorno Productivo programme")
    assert f"<p>{_text('en')}</p>" in html
    assert "The text as you accepted it (Spanish)" in html
    assert f'<p class="mb-0 mt-2" lang="es">{_text("es")}</p>' in html


def test_a_spanish_reader_sees_the_text_accepted_in_spanish_once(owner, owner_client):
    ConsentFactory(user=owner, version=CONSENT_VERSION, language="es", text=_text("es"))

    html = owner_client.get("/cuenta/consentimiento/").content.decode()

    assert html.count(_text("es")) == 1
    assert "<details>" not in html


def test_an_older_version_is_shown_as_accepted_only(owner, owner_client):
    ConsentFactory(user=owner, version="2020-01", language="es", text="Autorizo el tratamiento de mis datos.")
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = owner_client.get("/cuenta/consentimiento/").content.decode()

    assert '<p class="mb-0" lang="es">Autorizo el tratamiento de mis datos.</p>' in html
    assert _text("en") not in html
