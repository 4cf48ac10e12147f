"""``/healthz``: the state of the database, of Redis and of what apps plug in (the field
encryption key, from applicants), for load balancers and compose."""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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


@never_cache
@require_safe
def healthz(request):
    database = "ok" if _database_ok() else "down"
    redis_state = _redis_state()
    extra = {name: check() if database == "ok" else "unknown" for name, check in EXTRA_CHECKS.items()}
    healthy = database == "ok" and redis_state != "down" and "failing" not in extra.values()
    return JsonResponse(
        {"status": "ok" if healthy else "down", "database": database, "redis": redis_state, **extra},
        status=200 if healthy else 503,
    )
