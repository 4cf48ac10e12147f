"""``/healthz``: the state of the database, of Redis and of what apps plug in (the field
encryption key, from applicants), and how many Celery workers answer.

The worker count is information, not a verdict: a web replica without workers still serves
pages, so it stays in the load balancer (status 200); monitoring alerts on ``"workers": 0``.
The ping is a broadcast to every worker, so its answer is kept a few seconds in the cache
(shared by the replicas): probes every few seconds from each balancer cost one ping.
"""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.celery import app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down" to a health probe
        return False


def _redis_state() -> str:
    if not settings.REDIS_URL:
        # The embedded default (make run) has no Redis: Celery runs eagerly.
        return "not_configured"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        return "ok" if client.ping() else "down"
    except redis.RedisError:
        return "down"


# Checks that apps add from their AppConfig.ready() (portal imports no app): name → a
# function returning "ok", "failing" or "unknown". "failing" makes the whole answer 503.
EXTRA_CHECKS: dict[str, Callable[[], str]] = {}


def register_check(name: str, check: Callable[[], str]) -> None:
    EXTRA_CHECKS[name] = check


WORKERS_CACHE_KEY = "portal:health:workers"
logger = logging.getLogger(__name__)


def ping_workers() -> int:
    """How many Celery workers answer a ping within HEALTH_WORKER_PING_TIMEOUT seconds."""
    replies = app.control.ping(timeout=settings.HEALTH_WORKER_PING_TIMEOUT)
    return len(replies or [])


def _workers(redis_state: str) -> int | str:
    if redis_state == "not_configured":
        return "not_configured"  # the embedded default runs tasks inline: there are no workers
    if redis_state == "down":
        return 0
    try:
        cached = cache.get(WORKERS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not turn the probe into a 500
        cached = None
    if cached is not None:
        return cached
    try:
        count = ping_workers()
    except Exception:  # noqa: BLE001 - a broker error means no worker answered
        logger.warning("Celery ping failed", exc_info=True)
        count = 0
    try:
        cache.set(WORKERS_CACHE_KEY, count, settings.HEALTH_WORKER_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("Could not cache the worker count")
    return count


@never_cache
@require_safe
def healthz(request):
    database = "ok" if _database_ok() else "down"
    redis_state = _redis_state()
    extra = {name: check() if database == "ok" else "unknown" for name, check in EXTRA_CHECKS.items()}
    healthy = database == "ok" and redis_state != "down" and "failing" not in extra.values()
    return JsonResponse(
        {
            "status": "ok" if healthy else "down",
            "database": database,
            "redis": redis_state,
            "workers": _workers(redis_state),
            **extra,
        },
        status=200 if healthy else 503,
    )
