from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from loans.choices import ApplicationStatus as S
from loans.lenders.models import ApiToken, Intermediary
from tests.factories import StaffFactory
from tests.review.admin_pages import queued_application

ALL_SCOPES = [scope.value for scope in ApiToken.Scope]


def make_intermediary(name: str, nit: str, *, departments=("05",), products=(), **extra) -> Intermediary:
    lender = Intermediary.objects.create(
        name=name,
        nit=nit,
        kind=Intermediary.Kind.BANK,
        contact_name="Contacto",
        contact_email="c@example.com",
        **extra,
    )
    lender.departments.set(departments)
    lender.products.set(products)
    return lender


def api_client(lender: Intermediary, scopes=ALL_SCOPES, *, language: str = "es") -> APIClient:
    _token, clear = ApiToken.issue(intermediary=lender, name="integration", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def programme_officer(db):
    user = StaffFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="review_application"), Permission.objects.get(codename="approve_application")
    )
    return user


@pytest.fixture
def lender_a(product):
    return make_intermediary("Banco Andino", "890903938-8", products=[product])


@pytest.fixture
def lender_b(product):
    return make_intermediary("Cooperativa Bolívar", "860034313-7", products=[product])


@pytest.fixture
def approved_application(product):
    return queued_application(product=product, status=S.APPROVED, amount=10_000_000, department="05")


@pytest.fixture
def client_a(lender_a):
    return api_client(lender_a)


@pytest.fixture
def client_b(lender_b):
    return api_client(lender_b)


# A webhook receiver on 127.0.0.1 that checks the HMAC-SHA256 signature itself (not with our code).
class Receiver(BaseHTTPRequestHandler):
    secret = ""
    received: list[dict] = []
    answer = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers["X-Retorno-Timestamp"]
        expected = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(self.headers["X-Retorno-Signature"], f"sha256={expected}")
        self.received.append({"valid": valid, "event": self.headers["X-Retorno-Event"], "body": json.loads(body)})
        self.send_response(self.answer if valid else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received = []
    Receiver.answer = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
