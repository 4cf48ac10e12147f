"""Settings for pytest. ``DATABASE_URL``/``REDIS_URL`` choose real services (CI sets them)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("FIELD_ENCRYPTION_SALT", "test-salt")
os.environ.setdefault("BLIND_INDEX_KEY", "test-blind-index-key")
os.environ.setdefault("DATABASE_URL", "sqlite:///test-db.sqlite3")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, STORAGES, env  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "test-mail"))
# Argon2 at full cost makes every login in a test slow; the hasher choice is tested apart.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S105
STORAGES = {
    # The local disk, or the bucket when S3_BUCKET is set (a second web process in tests/operations).
    "default": STORAGES["default"],
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-uploads"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process: a per-process cache counts the rate limits correctly.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
# Tests post forms many times; the rate-limit tests set the real rates they check.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "10000/m")  # noqa: F405

# The replica alias is a test mirror of "default" (same test database, its own connection);
# reports use it only where a test turns REPORTS_READ_FROM_REPLICA on (tests/test_db_router.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPORTS_READ_FROM_REPLICA = False
