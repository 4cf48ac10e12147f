"""Errors as RFC 7807 ``application/problem+json``, in the caller's language (Accept-Language)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from loans.lenders.workflow import LenderError

PROBLEM = "application/problem+json"
BASE = "https://retorno.gov.co/api/problems/"


def problem(status_code: int, code: str, title: str, detail: Any = "", **extra: Any) -> Response:
    body: dict[str, Any] = {"type": BASE + code, "title": str(title), "status": status_code}
    if detail:
        body["detail"] = detail if isinstance(detail, str) else str(detail)
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM)


def _titles() -> dict[int, str]:
    return {
        400: _("The request is not valid."),
        401: _("Authentication is required."),
        403: _("Not allowed."),
        404: _("Not found."),
        405: _("Method not allowed."),
        406: _("Not acceptable."),
        409: _("Conflict."),
        415: _("Unsupported media type."),
        422: _("The request cannot be applied."),
        429: _("Too many requests."),
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, LenderError):
        return problem(exc.status, exc.code, _titles().get(exc.status, _("Error.")), str(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    title = _titles().get(response.status_code, _("Error."))
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "validation"
        detail = _("Some fields are not valid; see errors.")
        extra["errors"] = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
    else:
        data = response.data
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
    result = problem(response.status_code, code, title, detail, **extra)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in result:
        result["WWW-Authenticate"] = 'Bearer realm="api"'
    return result
