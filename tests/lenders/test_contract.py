"""The API's contract: the OpenAPI 3 schema is valid, every response matches it, and the
permission matrix over every route of the router (lender A / lender B / anonymous / staff)."""

from __future__ import annotations

import uuid

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from loans.lenders import services
from loans.lenders.api.urls import router
from tests.conftest import otp_verified_client


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _resolve(schema: dict, node: dict) -> dict:
    """The response schema with every $ref inlined against components (for jsonschema)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve(schema, schema["components"]["schemas"][name])
        resolved = {key: _resolve(schema, value) for key, value in node.items() if key != "nullable"}
        if node.get("nullable"):  # OpenAPI 3.0's nullable in JSON Schema's words
            if "type" in resolved:
                resolved["type"] = [resolved["type"], "null"]
            else:
                resolved = {"anyOf": [resolved, {"type": "null"}]}
        return resolved
    if isinstance(node, list):
        return [_resolve(schema, item) for item in node]
    return node


def _check(schema: dict, path: str, method: str, response) -> None:
    operation = schema["paths"][path][method]
    documented = operation["responses"][str(response.status_code)]
    body = documented["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), _resolve(schema, body))


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/referrals/{public_id}/disbursement/" in schema["paths"]


def test_every_answer_matches_the_schema(schema, approved_application, programme_officer, client_a):
    referral = services.referral_create(application=approved_application, officer=programme_officer)
    base = "/api/v1/referrals/{public_id}/"
    url = f"/api/v1/referrals/{referral.public_id}/"

    def post(step, body=None):
        return client_a.post(url + step + "/", body or {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

    _check(schema, "/api/v1/referrals/", "get", client_a.get("/api/v1/referrals/"))
    _check(schema, base, "get", client_a.get(url))
    _check(schema, base + "accept/", "post", post("accept"))
    _check(schema, base + "study/", "post", post("study", {"outcome": "approved"}))
    body = {"disbursed_on": "2026-02-01", "amount": 9_000_000, "term_months": 24, "bank_reference": "D-1"}
    _check(schema, base + "disbursement/", "post", post("disbursement", body))
    payment = {"paid_on": "2026-03-01", "amount": 100_000, "bank_reference": "P-1"}
    _check(schema, base + "payments/", "post", post("payments", payment))


def _routes():
    """Every (method, route) the router serves, read from the router itself."""
    found = []
    viewset = router.registry[0][1]
    for route in router.get_routes(viewset):
        for method, action in router.get_method_map(viewset, route.mapping).items():
            detail = "{lookup}" in route.url
            found.append((method, action, detail))
    return found


ROUTES = _routes()


def test_the_matrix_covers_every_route():
    assert {action for _m, action, _d in ROUTES} == {
        "list",
        "retrieve",
        "accept",
        "decline",
        "study",
        "disbursement",
        "payments",
    }


@pytest.mark.parametrize(("method", "action", "detail"), ROUTES)
@pytest.mark.parametrize("who", ["lender_a", "lender_b", "anonymous", "staff"])
def test_permission_matrix(who, method, action, detail, approved_application, programme_officer, client_a, client_b):
    referral = services.referral_create(application=approved_application, officer=programme_officer)
    path = f"/api/v1/referrals/{referral.public_id}/" if detail else "/api/v1/referrals/"
    if action not in ("list", "retrieve"):
        path += f"{action}/"
    clients = {"lender_a": client_a, "lender_b": client_b, "anonymous": APIClient()}
    if who == "staff":
        # A programme officer's web session (password and second factor) opens no API door.
        client = otp_verified_client(programme_officer)
        response = getattr(client, method)(path, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    else:
        response = getattr(clients[who], method)(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    expected = {
        "lender_a": None,  # the owner: allowed (200, or 400/409 for an empty body or a step out of turn)
        "lender_b": 404 if detail else 200,  # another lender's referral does not exist for it
        "anonymous": 401,
        "staff": 401,
    }[who]
    if expected is None:
        assert response.status_code in {200, 400, 409}, (action, response.status_code)
    else:
        assert response.status_code == expected, (who, action, response.status_code)
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
    if who == "lender_b" and not detail:
        assert response.json()["results"] == []


def test_docs_are_served_from_vendored_assets(client):
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "cdn" not in html.lower() and "https://" not in html.split("<body")[1], path
        assert "/static/drf_spectacular_sidecar/" in html
