"""Launch day after a public announcement: the crowd locust sends (benchmarks/launch_load.py runs it).

Three kinds of people, by weight:
- visitors (6): the home page, the public self-check, the loan simulator;
- newcomers (3): open the sign-up form, create an account, then look at their account page;
- returnees with a finished draft (1): log in, open the draft, send it (the eligibility check
  runs on the Celery worker), then reload its status page now and then.

Only 127.0.0.1 (the runner passes --host). ``LAUNCH_DRAFTS`` names the JSON file of prepared
returnees (email, password, application id); each is used by one simulated person only.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, task

DRAFTS = json.loads(Path(os.environ["LAUNCH_DRAFTS"]).read_text()) if os.environ.get("LAUNCH_DRAFTS") else []
_next_draft = itertools.count()
PRODUCT = os.environ.get("LAUNCH_PRODUCT", "1")
SELF_CHECK = {
    "birth_date": "1990-05-17",
    "document_type": "CC",
    "departure_date": "2015-01-10",
    "return_date": "2026-06-01",
    "return_type": "productivo",
    "rur_number": "RUR123456",
}


def csrf(user: HttpUser) -> str:
    return user.client.cookies.get("csrftoken", "")


def _form_ok(response, expected: int = 302) -> None:
    if response.status_code != expected:
        response.failure(f"HTTP {response.status_code}")


class Visitor(HttpUser):
    weight = 6
    wait_time = between(2, 6)

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def self_check(self):
        self.client.get("/requisitos/", params=SELF_CHECK, name="self-check")

    @task(2)
    def simulate(self):
        params = {"product": PRODUCT, "amount": "12000000", "term_months": "24", "grace_months": "3"}
        self.client.get("/simulador/", params=params, name="simulation")


class Newcomer(HttpUser):
    weight = 3
    wait_time = between(3, 10)

    def on_start(self):
        self.client.get("/cuenta/registro/", name="sign-up form")
        email = f"lanzamiento-{uuid.uuid4().hex[:12]}@example.co"
        password = f"Retorno-{uuid.uuid4().hex[:10]}"
        with self.client.post(
            "/cuenta/registro/",
            data={
                "csrfmiddlewaretoken": csrf(self),
                "email": email,
                "password1": password,
                "password2": password,
                "consent": "on",
            },
            name="sign-up",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            _form_ok(response)

    @task
    def account(self):
        self.client.get("/cuenta/", name="account page")


class Returnee(HttpUser):
    weight = 1
    wait_time = between(5, 15)

    def on_start(self):
        self.draft = DRAFTS[next(_next_draft) % len(DRAFTS)] if DRAFTS else None
        self.sent = False
        if self.draft is None:
            return
        self.client.get("/cuenta/entrar/", name="login form")
        with self.client.post(
            "/cuenta/entrar/",
            data={
                "csrfmiddlewaretoken": csrf(self),
                "username": self.draft["email"],
                "password": self.draft["password"],
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            _form_ok(response)
        page = f"/solicitudes/{self.draft['public_id']}/"
        self.client.get(page, name="task list")
        review = self.client.get(f"{page}revisar/", name="review before sending")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', review.text)
        with self.client.post(
            f"{page}revisar/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else csrf(self),
                "accept_terms": "on",
                "accept_checks": "on",
                "accept_truth": "on",
            },
            name="submission",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            _form_ok(response)
        self.sent = True

    @task
    def status(self):
        if self.draft is not None:
            self.client.get(f"/solicitudes/{self.draft['public_id']}/", name="status page")
