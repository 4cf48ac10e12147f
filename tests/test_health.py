"""``/healthz``: what load balancers and docker compose read to decide if the web app is up."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests import services

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


class _BrokenConnection:
    """Stands in for django.db.connection when the database cannot be reached."""

    def cursor(self):
        raise OperationalError("could not connect to server: Connection refused")


@pytest.fixture
def url():
    return reverse("healthz")


def test_it_is_served_at_healthz(url):
    assert url == "/healthz"


def test_it_reports_ok_when_the_database_answers_and_no_redis_is_configured(client, db, settings, url):
    settings.REDIS_URL = ""

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not_configured"}


def test_it_is_never_cached(client, db, settings, url):
    settings.REDIS_URL = ""

    response = client.get(url)

    assert "no-cache" in response["Cache-Control"]


def test_it_reports_redis_down_with_503(client, db, settings, url):
    settings.REDIS_URL = CLOSED_PORT_REDIS

    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "redis": "down"}


def test_it_reports_the_database_down_with_503(client, db, settings, monkeypatch, url):
    settings.REDIS_URL = ""
    monkeypatch.setattr("portal.health.connection", _BrokenConnection())

    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "down", "redis": "not_configured"}


def test_it_reports_both_down(client, db, settings, monkeypatch, url):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    monkeypatch.setattr("portal.health.connection", _BrokenConnection())

    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "down", "redis": "down"}


@pytest.mark.needs_redis
def test_it_reports_redis_ok_against_a_real_server(client, db, settings, url):
    settings.REDIS_URL = services.redis_url()

    response = client.get(url)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_it_rejects_post(client, db, url):
    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_it_answers_head_for_load_balancers(client, db, url):
    assert client.head(url).status_code == 200
