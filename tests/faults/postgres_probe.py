"""Run in a subprocess by test_postgres_restart.py: the portal on a private PostgreSQL with
kept connections (CONN_MAX_AGE), answering requests while the test restarts and stops the
server between them. Prints one JSON line of status codes."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import RequestFactory  # noqa: E402

# The WSGI handler as gunicorn calls it (django.test.Client would skip the connection checks
# that a real server makes at the start of every request).
application = WSGIHandler()


class Response:
    def __init__(self, path: str):
        self.headers: dict[str, str] = {}
        self.status_code = 0
        body = application(RequestFactory().get(path).environ, self.start_response)
        self.content = b"".join(body)

    def start_response(self, status, headers, exc_info=None):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)

    def get(self, name):
        return self.headers.get(name)

    def json(self):
        return json.loads(self.content)


class Server:
    def get(self, path: str) -> Response:
        return Response(path)


def wait_for_the_test(step: str) -> None:
    print(step, flush=True)
    sys.stdin.readline()


call_command("migrate", verbosity=0)
client = Server()
results = {"before": client.get("/creditos/").status_code}
wait_for_the_test("RESTART")
results["after_restart"] = client.get("/creditos/").status_code
results["health_after_restart"] = client.get("/healthz").json()["database"]
wait_for_the_test("STOP")
down = client.get("/creditos/")
results["down"] = [down.status_code, down.get("Retry-After"), "Volvemos en un momento" in down.content.decode()]
wait_for_the_test("START")
results["back"] = client.get("/creditos/").status_code
print("RESULT " + json.dumps(results), flush=True)
