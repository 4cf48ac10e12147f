"""Prometheus metrics at ``/metrics``, for the addresses in ``METRICS_ALLOWED_IPS`` only.

prometheus-client rather than django-prometheus: what we need is a few request metrics and two
figures read from Redis at scrape time (queue lengths, task failures), which are custom
collectors either way; django-prometheus would add its own database and cache wrappers to
the settings and a URL without an address check.

- ``http_requests_total`` and ``http_request_duration_seconds``, by view name (not by path:
  paths carry ids, which would make a series per application);
- ``celery_queue_length{queue}``: Redis ``LLEN`` of every queue the task routes use, read
  when Prometheus scrapes, so any web replica gives the same answer;
- ``celery_task_failures_total{task}`` and ``celery_task_retries_total{task}``: counted by every
  worker into one Redis hash (``task_failure``/``task_retry`` signals), also read at scrape time.

With several gunicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (the image
does): prometheus-client then adds up the request metrics of every worker process.

The middleware answers ``/metrics`` itself, before the host check and the HTTPS redirect: the
scraper reaches each web replica directly on the internal network, and the reverse proxy
never forwards ``/metrics`` from outside (docker/Caddyfile).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from functools import cache

import redis
from celery.signals import task_failure, task_retry
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

PATH = "/metrics"
FAILURES_KEY = "retorno:metrics:celery_task_failures"
RETRIES_KEY = "retorno:metrics:celery_task_retries"
# kombu's Redis transport keeps messages of priority 3, 6 and 9 in lists beside the queue's own.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "view", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "view"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def queues() -> list[str]:
    """Every queue a task can be routed to, the default one included."""
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    names.update(route["queue"] for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route)
    return sorted(names)


def _redis() -> redis.Redis | None:
    url = settings.CELERY_BROKER_URL if str(settings.CELERY_BROKER_URL).startswith("redis") else settings.REDIS_URL
    if not url:
        return None
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def queue_lengths() -> dict[str, int]:
    client = _redis()
    if client is None:
        return {}
    pipe = client.pipeline(transaction=False)
    names = queues()
    for name in names:
        for suffix in _PRIORITY_SUFFIXES:
            pipe.llen(name + suffix)
    counts = pipe.execute()
    step = len(_PRIORITY_SUFFIXES)
    return {name: sum(counts[i * step : (i + 1) * step]) for i, name in enumerate(names)}


def _counts(key: str) -> dict[str, int]:
    client = _redis()
    if client is None:
        return {}
    counts: dict[bytes, bytes] = client.hgetall(key)  # type: ignore[assignment]  # a sync client
    return {name.decode(): int(value) for name, value in counts.items()}


class CeleryCollector:
    """Read at every scrape; a Redis outage gives ``celery_metrics_up 0`` instead of an error page."""

    def collect(self):
        up = GaugeMetricFamily("celery_metrics_up", "1 if the broker answered this scrape")
        lengths = GaugeMetricFamily("celery_queue_length", "Tasks waiting in a queue", labels=["queue"])
        failures = CounterMetricFamily("celery_task_failures", "Tasks that raised", labels=["task"])
        retries = CounterMetricFamily("celery_task_retries", "Tasks that asked to be retried", labels=["task"])
        try:
            for name, length in queue_lengths().items():
                lengths.add_metric([name], length)
            for name, count in _counts(FAILURES_KEY).items():
                failures.add_metric([name], count)
            for name, count in _counts(RETRIES_KEY).items():
                retries.add_metric([name], count)
            up.add_metric([], 1)
        except redis.RedisError:
            up.add_metric([], 0)
        yield up
        yield lengths
        yield failures
        yield retries


@cache
def registry() -> CollectorRegistry:
    """What a scrape reads: this process's metrics, or every gunicorn worker's (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape = CollectorRegistry()
        scrape.register(_ProcessMetrics())
    scrape.register(CeleryCollector())
    return scrape


class _ProcessMetrics:
    """The default registry's metrics (this process), inside the scrape registry."""

    def collect(self):
        yield from REGISTRY.collect()


@cache
def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in settings.METRICS_ALLOWED_IPS if entry]


def allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _allowed_networks())


def metrics_response(request) -> HttpResponse:
    if request.method not in ("GET", "HEAD") or not allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponseNotFound()
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return metrics_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "<unresolved>"
        LATENCY.labels(request.method, view).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        return response


def _count(key: str, sender) -> None:
    try:
        client = _redis()
        if client is not None:
            client.hincrby(key, getattr(sender, "name", str(sender)), 1)
    except redis.RedisError:
        logger.warning("Could not count a task event in Redis (%s)", key)


@task_failure.connect
def _count_failure(sender=None, **kwargs) -> None:
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        _count(FAILURES_KEY, sender)


@task_retry.connect
def _count_retry(sender=None, **kwargs) -> None:
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        _count(RETRIES_KEY, sender)
