"""How the schema describes our token authentication (drf-spectacular extension, loaded by views)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "loans.lenders.api.auth.TokenAuthentication"
    name = "lenderToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An intermediary's API token, `<prefix>.<secret>`, issued in the admin (docs/API.md).",
        }
