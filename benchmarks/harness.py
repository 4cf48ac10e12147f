"""Shared by the report benchmarks: the benchmark databases, Django set-up, gunicorn, staff and
applicant sessions (django-otp second factor included), HTTP requests that read a streamed body,
medians, and a description of the machine.

Databases (never the test database):
  REPORTS_BENCH_DATABASE_URL        default postgres://postgres@127.0.0.1:5432/retorno_reports_bench
                                    (1,000,000 applications: manage.py seed_bulk --applications 1000000)
  REPORTS_BENCH_SMALL_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/retorno_reports_bench_small
                                    (1,000 applications)
"""

from __future__ import annotations

import http.client
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

BIG_DATABASE_URL = os.environ.get(
    "REPORTS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_reports_bench"
)
SMALL_DATABASE_URL = os.environ.get(
    "REPORTS_BENCH_SMALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_reports_bench_small"
)
SETTINGS = "benchmarks.bench_settings"


def setup_django(database_url: str = BIG_DATABASE_URL) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


def ensure_database(database_url: str) -> bool:
    """Create the database if missing; True when it was created (then migrate it)."""
    import psycopg2

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    connection = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        created = cursor.fetchone() is None
        if created:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return created


def manage(*args: str, database_url: str = BIG_DATABASE_URL) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": SETTINGS}
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    load = os.getloadavg()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · nproc {os.cpu_count()} · RAM {mem_kb / 1024 / 1024:.0f} GB · "
        f"CPU {cpu} · Python {platform.python_version()} · load average at start {load[0]:.1f}"
    )


# --- sessions --------------------------------------------------------------------------------


def staff_session(email: str, permissions: list[str]) -> str:
    """A session of a staff member who passed the second factor (a django-otp static device)."""
    from django.contrib.auth.models import Permission
    from django_otp.plugins.otp_static.models import StaticDevice

    from applicants.models import User

    user, _created = User.objects.get_or_create(email=email, defaults={"is_staff": True})
    user.is_staff = True
    user.is_superuser = "superuser" in permissions
    user.set_unusable_password()
    user.save()
    for codename in permissions:
        if codename != "superuser":
            app, name = codename.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=name))
    device, _created = StaticDevice.objects.get_or_create(user=user, name="benchmark")
    return _session(user, {"otp_device_id": device.persistent_id})


def applicant_session(user) -> str:
    return _session(user, {})


def _session(user, extra: dict) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store["django_language"] = "es"
    for key, value in extra.items():
        store[key] = value
    store.create()
    return store.session_key


# --- gunicorn and HTTP ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process = process
        self.port = port

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def peak_rss_kb(self) -> int:
        """The largest VmHWM (peak resident memory) among the workers."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
        return max(peaks)


@contextmanager
def gunicorn(database_url: str = BIG_DATABASE_URL, workers: int = 1):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": SETTINGS}
    process = subprocess.Popen(
        [GUNICORN, "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "sync",
         "--timeout", "600", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)
    try:
        yield Server(process, port)
    finally:
        process.terminate()
        process.wait(timeout=30)


CSRF = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, accepted as the form token


def request(port: int, method: str, path: str, session: str | None = None, form: dict | None = None):
    """(status, bytes, lines, seconds): the whole body read in 256 KB pieces, timed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    headers = {"Cookie": f"csrftoken={CSRF}" + (f"; sessionid={session}" if session else "")}
    body = None
    if form is not None:
        body = urlencode({**form, "csrfmiddlewaretoken": CSRF})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    size = lines = 0
    while chunk := response.read(256 * 1024):
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, size, lines, seconds
