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
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not_configured",
        "workers": "not_configured",
        "encryption": "ok",
    }


def test_it_is_never_cached(client, db, settings, url):
    settings.REDIS_URL = ""

    response = client.get(url)

    assert "no-cache" in response["Cache-Control"]


def test_it_reports_redis_down_with_503(client, db, settings, url):
    settings.REDIS_URL = CLOSED_PORT_REDIS

    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "redis": "down", "workers": 0, "encryption": "ok"}


def test_it_reports_the_database_down_with_503(client, db, settings, monkeypatch, url):
    settings.REDIS_URL = ""
    monkeypatch.setattr("portal.health.connection", _BrokenConnection())

    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "down",
        "redis": "not_configured",
        "workers": "not_configured",
        "encryption": "unknown",
    }


def test_it_reports_both_down(client, db, settings, monkeypatch, url):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    monkeypatch.setattr("portal.health.connection", _BrokenConnection())

    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "down",
        "redis": "down",
        "workers": 0,
        "encryption": "unknown",
    }


@pytest.mark.needs_redis
def test_it_reports_redis_ok_against_a_real_server(client, db, settings, monkeypatch, url):
    settings.REDIS_URL = services.redis_url()
    monkeypatch.setattr("portal.health.ping_workers", lambda: 0)

    response = client.get(url)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "workers": 0, "encryption": "ok"}


def test_it_rejects_post(client, db, url):
    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_it_answers_head_for_load_balancers(client, db, url):
    assert client.head(url).status_code == 200


def _forget_derived_keys():
    """The encrypted fields derive their keys once per process; a new deploy starts afresh."""
    from applicants.models import EncryptionCanary, ReturneeProfile

    for field in (EncryptionCanary._meta.get_field("value"), ReturneeProfile._meta.get_field("document_number")):
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)


@pytest.fixture(autouse=True)
def fresh_keys():
    """Every test here reads the encryption state: keys another test derived under other settings
    (a key rotation, a wrong salt) must not decide it."""
    _forget_derived_keys()
    yield
    _forget_derived_keys()


def test_a_wrong_encryption_key_reports_encryption_failing_with_503(client, db, settings, url, fresh_keys):
    """The canary was written under one key; the site now runs with another salt."""
    from applicants.models import EncryptionCanary
    from tests.factories import CompleteProfileFactory

    settings.REDIS_URL = ""
    assert client.get(url).json()["encryption"] == "ok"  # writes the canary under the right key
    CompleteProfileFactory(document_number="1020304050")
    assert EncryptionCanary.objects.count() == 1

    settings.SALT_KEY = ["another-salt-after-a-bad-deploy"]
    _forget_derived_keys()
    response = client.get(url)

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "ok",
        "redis": "not_configured",
        "workers": "not_configured",
        "encryption": "failing",
    }


# --- Celery workers -------------------------------------------------------------------------


@pytest.fixture
def redis_up(settings, monkeypatch):
    """Redis answers; the worker ping is what the test says."""
    settings.REDIS_URL = "redis://redis.invalid:6379/0"
    monkeypatch.setattr("portal.health._redis_state", lambda: "ok")
    from django.core.cache import cache

    cache.delete("portal:health:workers")


def test_it_counts_the_workers_that_answer_the_ping(client, db, url, redis_up, monkeypatch):
    monkeypatch.setattr("portal.health.ping_workers", lambda: 3)

    response = client.get(url)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "workers": 3, "encryption": "ok"}


def test_no_worker_is_reported_but_the_web_replica_stays_in_service(client, db, url, redis_up, monkeypatch):
    monkeypatch.setattr("portal.health.ping_workers", lambda: 0)

    response = client.get(url)

    assert response.status_code == 200
    assert response.json()["workers"] == 0


def test_a_broker_error_during_the_ping_counts_as_no_worker(client, db, url, redis_up, monkeypatch):
    def broken():
        raise ConnectionError("broker gone")

    monkeypatch.setattr("portal.health.ping_workers", broken)

    assert client.get(url).json()["workers"] == 0


def test_the_ping_is_cached_for_a_few_seconds(client, db, url, redis_up, monkeypatch, settings):
    pings = []
    monkeypatch.setattr("portal.health.ping_workers", lambda: pings.append(1) or 2)

    answers = [client.get(url).json()["workers"] for _ in range(5)]

    assert answers == [2] * 5
    assert pings == [1]
    assert settings.HEALTH_WORKER_CACHE_SECONDS == 10
    assert settings.HEALTH_WORKER_PING_TIMEOUT == 1.0
