"""A real Celery worker against the real Redis broker and the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests import services

ROOT = Path(__file__).resolve().parents[2]
QUEUES = "default,notifications,eligibility,exports"


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def celery_app_on_redis():
    """Point this process's Celery app at the real broker: tasks are queued, not run inline."""
    from portal.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=services.redis_url(), task_always_eager=False)
    app._pool = None
    yield app
    app.conf.update(saved)
    app._pool = None


class Worker:
    """A `celery worker` subprocess; ``kill()`` is SIGKILL, as when a machine dies."""

    def __init__(self, process: subprocess.Popen, log_path: Path, mail_dir: Path):
        self.process = process
        self.pid = process.pid
        self.log_path = log_path
        self.mail_dir = mail_dir

    def log(self) -> str:
        return self.log_path.read_text()

    def mails(self) -> list[str]:
        return [path.read_text() for path in sorted(self.mail_dir.glob("*.log"))]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # Popen-like, for tests written against the single-worker fixture.
    def poll(self):
        return self.process.poll()


@pytest.fixture
def start_worker(transactional_db, tmp_path, celery_app_on_redis):
    """Start workers sharing the test database and one mail directory; all stopped afterwards.

    ``start_worker(**env)`` adds environment variables, e.g. a slow email backend or a short
    REDIS_VISIBILITY_TIMEOUT.
    """
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_app_on_redis.connection_for_write().default_channel.client.flushdb()
    workers: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": services.redis_url(),
            "CELERY_BROKER_URL": services.redis_url(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            **extra_env,
        }
        number = len(workers) + 1
        log_path = tmp_path / f"worker{number}.log"
        log = log_path.open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                QUEUES,
                "--pool=solo",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "info",
                "-n",
                f"test{number}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        worker = Worker(process, log_path, mail_dir)
        workers.append(worker)
        deadline = time.monotonic() + 60
        while "ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("The Celery worker did not start:\n" + worker.log())
            time.sleep(0.2)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    """One worker on every queue, sending email to files (``.mail_dir``)."""
    return start_worker()


def wait_for(predicate, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None
