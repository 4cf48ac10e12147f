"""Django's Redis cache, made to degrade instead of failing the request.

Everything this portal caches (repayment schedules, open statistics, the schedule CSV, rate
limit counters) can be computed again or safely skipped. When Redis blinks, a read is a miss,
a write is dropped and an increment fails (so django-ratelimit, with RATELIMIT_FAIL_OPEN,
lets the request through: django-axes still guards logins from the database). Each failure
is logged once per call, without the key (keys may carry an address).
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _warn(operation: str, error: Exception) -> None:
    logger.warning("Cache %s failed (%s); computing without the cache.", operation, type(error).__name__)


class FaultTolerantRedisCache(RedisCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            _warn("add", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _warn("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            _warn("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            _warn("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            _warn("delete", error)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _warn("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            _warn("has_key", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            _warn("incr", error)
            # What Django raises for a missing key: callers (django-ratelimit) already handle it.
            raise ValueError("cache unavailable") from error

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            _warn("set_many", error)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            _warn("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except RedisError as error:
            _warn("clear", error)
            return False
