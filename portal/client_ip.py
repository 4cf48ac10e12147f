"""The address of the person, not of our reverse proxy.

Behind the TLS-terminating proxy every request has the proxy's REMOTE_ADDR; the person's
address is in X-Forwarded-For, where each proxy appends the address it received the request
from. Only the entries added by the proxies we run (TRUSTED_PROXY_COUNT, counted from the
right) can be believed: anything further left was written by the client and may be forged.
django-axes (AXES_CLIENT_IP_CALLABLE) and the rate limits (RATELIMIT_IP_META_KEY) both use it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        # The header is missing or shorter than our own proxies would make it: the request did
        # not come through them, so REMOTE_ADDR is the only address we know.
        return remote
    return _valid(forwarded[-trusted]) or remote


def axes_client_ip(request) -> str:
    return client_ip(request)
