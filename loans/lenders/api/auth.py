"""Token authentication per intermediary, with scopes (issue 16).

Chosen over django-oauth-toolkit's client credentials: the lenders are a handful of known
institutions whose back offices call us server to server; a long-lived, hashed, revocable token
per integration with a scope list gives the same guarantees (who, what, revocation) without a
token endpoint, refresh flow, four extra tables and a dependency. DRF's own authtoken keeps keys
in clear and one per user, hence our table: ``Authorization: Bearer <prefix>.<secret>``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from applicants.models import User
from loans.lenders.models import ApiToken
from loans.lenders.services import intermediary_user


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        prefix, _sep, secret = parts[1].decode("latin-1").partition(".")
        token = (
            ApiToken.objects.select_related("intermediary").filter(prefix=prefix, active=True).first()
            if prefix and secret
            else None
        )
        if token is None or not token.matches(secret):
            raise exceptions.AuthenticationFailed(_("The token is not valid or was revoked."))
        if not token.intermediary.active:
            raise exceptions.AuthenticationFailed(_("This intermediary is not active in the programme."))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        # request.user is the user standing for the intermediary (records and history name it).
        return intermediary_user(token.intermediary), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The scope the view names for its action (``action_scopes``) must be among the token's scopes."""

    message = _("This token does not have the scope for this operation.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        needed: dict[str, Any] = getattr(view, "action_scopes", {})
        scope = needed.get(getattr(view, "action", None) or "")
        return scope is not None and scope in token.scopes


class TokenRateThrottle(SimpleRateThrottle):
    """Per token, on the default cache (Redis in production)."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
