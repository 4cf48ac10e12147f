"""Reports, statistics and exports read from the replica; everything else from the primary.

A read goes to the replica only inside ``replica_reads()`` (a context manager and a view
decorator) and only while ``DATABASE_REPLICA_URL`` is set. Writes, and reads with
``select_for_update()``, always go to the primary. Nothing a returnee or an officer does
reads from the replica, so nobody sees their own change missing.

Freshness bound: the replica is used only while its replay lag is at most
``DATABASE_REPLICA_MAX_LAG`` seconds (default 30); past that, or if it does not answer,
reads fall back to the primary. Each process checks the lag at most every
``LAG_CHECK_SECONDS``, so a figure on a report is at most MAX_LAG + LAG_CHECK_SECONDS old.
"""

from __future__ import annotations

import functools
import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
LAG_CHECK_SECONDS = 5.0

_replica_wanted: ContextVar[bool] = ContextVar("replica_wanted", default=False)
# (checked at, usable) for this process.
_last_check: dict[str, tuple[float, bool]] = {}

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "REPORTS_READ_FROM_REPLICA", True)


def replica_lag_seconds() -> float:
    """How far the replica's replay is behind the primary (0 on a primary or an idle, caught-up replica)."""
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_usable() -> bool:
    now = time.monotonic()
    checked = _last_check.get(REPLICA)
    if checked and now - checked[0] < LAG_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag_seconds()
        usable = lag <= settings.DATABASE_REPLICA_MAX_LAG
        if not usable:
            logger.warning(
                "Replica %.0f s behind (limit %s s): reports read from the primary",
                lag,
                settings.DATABASE_REPLICA_MAX_LAG,
            )
    except DatabaseError:
        logger.warning("Replica unreachable: reports read from the primary")
        usable = False
    _last_check[REPLICA] = (now, usable)
    return usable


def reads_alias() -> str:
    """Where a report read goes right now."""
    if _replica_wanted.get() and replica_configured() and replica_usable():
        return REPLICA
    return PRIMARY


@contextmanager
def replica_reads():
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def replica_view(view):
    """Decorator: the view's reads (reports, statistics, exports) may come from the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def replica_iter(iterable):
    """A streamed response's chunks, read from the replica too (they are produced after the view returns)."""
    iterator = iter(iterable)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class ReportsReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_wanted.get():
            return reads_alias()
        return None

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: an object read from the replica may point to one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
