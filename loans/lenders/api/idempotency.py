"""``Idempotency-Key`` on every POST (issue 16): a replay returns the first answer, never a second effect.

The key's row is inserted first, in the request's transaction. A second request with the same key
waits on the unique index until the first commits (PostgreSQL), then finds the row and replays
the stored answer; with another body it gets 409. A server error rolls the row back with the rest.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from loans.lenders.api.problems import PROBLEM, problem
from loans.lenders.models import IdempotencyRecord

MAX_KEY = 255


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(
        record.response_body,
        status=record.status_code,
        content_type=PROBLEM if (record.status_code or 500) >= 400 else None,
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(handler)
    def wrapper(view, request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > MAX_KEY:
            return problem(
                400,
                "idempotency_key_required",
                _("The request is not valid."),
                _("Every POST needs an Idempotency-Key header (1 to 255 characters), unique per operation."),
            )
        fingerprint = _fingerprint(request)  # parses the body first: malformed JSON is a 400 here
        intermediary = request.auth.intermediary
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        intermediary=intermediary, key=key, request_hash=fingerprint
                    )
            except IntegrityError:
                record = IdempotencyRecord.objects.get(intermediary=intermediary, key=key)
                if record.request_hash != fingerprint:
                    return problem(
                        409,
                        "idempotency_key_reused",
                        _("Conflict."),
                        _("This Idempotency-Key was already used with a different request."),
                    )
                return _replay(record)
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001  (DRF turns it into a problem, stored like any answer)
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                raise RuntimeError("server error; the idempotency key is not kept")
            record.status_code = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "response_body"])
        return response

    return wrapper
