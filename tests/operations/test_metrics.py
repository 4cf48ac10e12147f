"""/metrics: Prometheus text for the configured addresses only, with request, queue and task figures."""

import json
import logging

import pytest
from django.test import Client

from portal import metrics, request_id
from tests import services


@pytest.fixture(autouse=True)
def _fresh_allow_list():
    metrics._allowed_networks.cache_clear()
    yield
    metrics._allowed_networks.cache_clear()


def scrape(address="127.0.0.1", **headers):
    return Client(REMOTE_ADDR=address).get("/metrics", **headers)


def test_an_allowed_address_reads_the_metrics(db, settings):
    settings.REDIS_URL = ""
    Client().get("/healthz")

    response = scrape()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    body = response.content.decode()
    assert 'http_requests_total{method="GET",status="200",view="healthz"}' in body
    assert 'http_request_duration_seconds_count{method="GET",view="healthz"}' in body


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.8", "not-an-address"])
def test_any_other_address_gets_404(db, settings, address):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "10.1.0.0/16"]

    response = scrape(address)

    assert response.status_code == 404
    assert b"http_requests_total" not in response.content


def test_a_network_in_the_allow_list_admits_its_addresses(db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]

    assert scrape("10.1.42.7").status_code == 200
    assert scrape("127.0.0.1").status_code == 404


def test_an_empty_allow_list_admits_nobody(db, settings):
    settings.METRICS_ALLOWED_IPS = []

    assert scrape().status_code == 404


def test_metrics_skip_the_host_check_and_the_https_redirect(db, settings):
    """The scraper reaches a replica as web:8000 over plain HTTP on the internal network."""
    settings.ALLOWED_HOSTS = ["retorno.example"]
    settings.SECURE_SSL_REDIRECT = True

    assert scrape(HTTP_HOST="web:8000").status_code == 200


def test_without_a_broker_the_celery_metrics_say_so(db, settings):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "memory://"

    body = scrape().content.decode()

    assert "celery_metrics_up 1.0" in body
    assert "celery_queue_length{" not in body


def test_a_broker_outage_is_a_metric_not_an_error(db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = scrape()

    assert response.status_code == 200
    assert "celery_metrics_up 0.0" in response.content.decode()


@pytest.mark.needs_redis
def test_queue_lengths_and_task_failures_come_from_redis(db, settings):
    import redis

    settings.CELERY_BROKER_URL = services.redis_url()
    client = redis.Redis.from_url(services.redis_url())
    for name in metrics.queues():
        client.delete(name, *(name + suffix for suffix in metrics._PRIORITY_SUFFIXES))
    client.delete(metrics.FAILURES_KEY, metrics.RETRIES_KEY)
    client.rpush("exports", b"a", b"b")
    client.rpush("notifications", b"c")
    client.rpush("notifications\x06\x166", b"d")

    class Task:
        name = "loans.exports.build"
        request = type("Request", (), {"is_eager": False})()

    metrics._count_failure(sender=Task())
    metrics._count_failure(sender=Task())
    metrics._count_retry(sender=Task())

    body = scrape().content.decode()

    assert metrics.queues() == ["default", "eligibility", "exports", "notifications"]
    assert 'celery_queue_length{queue="exports"} 2.0' in body
    assert 'celery_queue_length{queue="notifications"} 2.0' in body
    assert 'celery_queue_length{queue="default"} 0.0' in body
    assert 'celery_task_failures_total{task="loans.exports.build"} 2.0' in body
    assert 'celery_task_retries_total{task="loans.exports.build"} 1.0' in body
    client.delete("exports", "notifications", "notifications\x06\x166", metrics.FAILURES_KEY, metrics.RETRIES_KEY)


# --- request ids and JSON logs ---------------------------------------------------------------


def test_every_response_carries_a_request_id_and_keeps_the_proxys(db, settings):
    settings.REDIS_URL = ""
    fresh = Client().get("/healthz")
    given = Client().get("/healthz", HTTP_X_REQUEST_ID="caddy-4f2b9e")
    forged = Client().get("/healthz", HTTP_X_REQUEST_ID="x\nINFO forged line")

    assert len(fresh["X-Request-ID"]) == 32
    assert given["X-Request-ID"] == "caddy-4f2b9e"
    assert forged["X-Request-ID"] != "x\nINFO forged line" and len(forged["X-Request-ID"]) == 32


def _record(message, **extra):
    record = logging.LogRecord("loans.exports", logging.WARNING, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_hold_the_request_id_and_no_personal_data():
    from portal.logging import RedactPIIFilter

    record = _record("Could not send to ana@example.com")
    token = request_id._current.set("req-42")
    try:
        request_id.RequestIdLogFilter().filter(record)
    finally:
        request_id._current.reset(token)
    RedactPIIFilter().filter(record)

    line = json.loads(request_id.JsonFormatter().format(record))

    assert line["request_id"] == "req-42"
    assert line["message"] == "Could not send to [email]"
    assert (line["level"], line["logger"]) == ("WARNING", "loans.exports")
    assert line["time"].endswith("+00:00")


def test_a_task_published_during_a_request_carries_its_id_and_the_worker_sets_it():
    headers = {}
    token = request_id._current.set("req-99")
    try:
        request_id._add_request_id_to_task(headers=headers)
    finally:
        request_id._current.reset(token)
    assert headers == {"request_id": "req-99"}

    class Request:
        is_eager = False
        request_id = "req-99"
        headers = None

    task = type("Task", (), {"request": Request()})()
    request_id._set_request_id_for_task(task_id="t1", task=task)
    assert request_id.current() == "req-99"
    request_id._reset_request_id_after_task(task_id="t1")
    assert request_id.current() == "-"


def test_a_task_without_a_request_is_logged_under_its_own_id():
    class Request:
        is_eager = False
        headers = {}

    task = type("Task", (), {"request": Request()})()
    request_id._set_request_id_for_task(task_id="abc", task=task)
    assert request_id.current() == "task-abc"
    request_id._reset_request_id_after_task(task_id="abc")


def test_the_production_settings_choose_json_logs_when_asked(settings):
    assert settings.LOGGING["formatters"]["json"] == {"()": "portal.request_id.JsonFormatter"}
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id", "redact_pii"]
