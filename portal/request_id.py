"""One id per request, on every log line it causes, including those of the Celery tasks it queued.

The reverse proxy gives each request an ``X-Request-ID`` (docker/Caddyfile); a request that
arrives without one (tests, a probe on the internal network) gets a fresh id here. The id goes
back in the response header, into every log record (``%(request_id)s`` and the JSON ``request_id``
key) and into the headers of every task published while the request runs; the worker sets it
again around the task, so one grep follows a submission from the click to the email.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar, Token
from datetime import UTC, datetime

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
NONE = "-"
# What we accept from the proxy: short and plain, so a client cannot forge log lines.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

_current: ContextVar[str] = ContextVar("request_id", default=NONE)


def current() -> str:
    return _current.get()


def _new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _VALID.match(given) else _new_id()
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Put the current request id on the record (``-`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _current.get()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


@before_task_publish.connect
def _add_request_id_to_task(headers=None, **kwargs) -> None:
    """Carry the id of the request (or task) that queues a task in the message's headers."""
    request_id = _current.get()
    if headers is not None and request_id != NONE:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens: dict[str, Token[str]] = {}


@task_prerun.connect
def _set_request_id_for_task(task_id=None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return  # inline (eager): the caller's id is already set
    given = getattr(request, TASK_HEADER, None) or (request.headers or {}).get(TASK_HEADER)
    request_id = given if isinstance(given, str) and _VALID.match(given) else f"task-{task_id}"
    _task_tokens[task_id] = _current.set(request_id)


@task_postrun.connect
def _reset_request_id_after_task(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
