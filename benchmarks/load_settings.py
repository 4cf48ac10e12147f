"""Settings for the launch-day load test (benchmarks/launch_load.py): the production shape on
this machine. Production password hashing, real Celery (a worker process, Redis broker), Redis
cache and sessions in the database as in production; the benchmark URLconf; e-mail discarded.
Not for production: DEBUG off, no HTTPS redirects.
"""

import os

from portal.settings.test import *  # noqa: F403

REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/10")
ROOT_URLCONF = "benchmarks.bench_urls"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = REDIS_URL
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
CONN_MAX_AGE = 60
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Production's password hashing: sign-ups and logins cost what they will cost on the day.
