"""The embedded default for ``make run``: SQLite, Celery eager, console email."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-a-secret-0123456789abcdef")
os.environ.setdefault("FIELD_ENCRYPTION_SALT", "local-development-salt")
os.environ.setdefault("BLIND_INDEX_KEY", "local-development-blind-index-key")
os.environ.setdefault("DATABASE_URL", "sqlite:///db.sqlite3")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process: a per-process cache counts the rate limits correctly.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
