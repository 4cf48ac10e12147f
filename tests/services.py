"""Which real services this run has, and what to do when one is missing.

With CI=true every service is required: a missing one fails the run. On a newcomer's laptop
the suite runs on the embedded default (SQLite) and skips what needs a missing service,
naming it in the summary.
"""

from __future__ import annotations

import os
import shutil
from functools import cache

import redis

CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


@cache
def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(redis_url(), socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def database_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def missing_for(markers: set[str]) -> list[str]:
    """The services a test with these markers needs and this machine lacks."""
    missing = []
    if markers & {"needs_redis", "needs_worker"} and not redis_available():
        missing.append(f"Redis (not reachable at {redis_url()})")
    if markers & {"needs_postgres", "needs_worker"} and not database_is_postgres():
        missing.append("PostgreSQL (DATABASE_URL is not a postgres:// URL)")
    if "browser" in markers and chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    return missing
