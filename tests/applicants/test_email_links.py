"""In development, emailed links lead back to the address the site was reached on."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.applicants.test_registration import VALID

pytestmark = pytest.mark.django_db(transaction=True)

SERVED_ADDRESS = "portal.middleware.ServedAddressSiteURLMiddleware"


def test_without_site_url_the_link_uses_the_host_and_port_runserver_answered_on(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, SERVED_ADDRESS]
    settings.SITE_URL = "http://localhost:8000"

    client.post(reverse("applicants:register"), VALID, HTTP_HOST="192.168.1.20:8123")

    assert "http://192.168.1.20:8123/cuenta/confirmar/" in mail.outbox[0].body
    assert "localhost:8000" not in mail.outbox[0].body


def test_with_site_url_the_link_uses_it(client, settings):
    settings.SITE_URL = "https://retorno.example.gov.co"

    client.post(reverse("applicants:register"), VALID, HTTP_HOST="192.168.1.20:8123")

    assert "https://retorno.example.gov.co/cuenta/confirmar/" in mail.outbox[0].body


def test_local_settings_add_the_middleware_only_when_site_url_is_unset(monkeypatch):
    import importlib

    import portal.settings.local as local

    monkeypatch.delenv("SITE_URL", raising=False)
    assert SERVED_ADDRESS in importlib.reload(local).MIDDLEWARE
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:9000")
    reloaded = importlib.reload(local)
    assert SERVED_ADDRESS not in reloaded.MIDDLEWARE
