"""Settings shared by every environment; each value comes from one ``environ.Env()``."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

# Encrypted fields derive their key from SECRET_KEY and this salt; the blind index is an
# HMAC under its own key so that searching never needs the decryption key.
SALT_KEY = env.list("FIELD_ENCRYPTION_SALT")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_include_bootstrap",
    "django_celery_beat",
    "django_otp",
    "simple_history",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_ratelimit",
    "portal",
    "applicants",
    "loans",
]

MIDDLEWARE = [
    # First: every log line of the request, and the tasks it queues, carry its id.
    "portal.request_id.RequestIdMiddleware",
    "portal.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SpanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.ratelimits.RateLimitMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # AxesMiddleware must stay last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "applicants.context_processors.inbox",
            ],
        },
    },
]

# Widget templates may be overridden in templates/django/forms/: every text area with a
# maximum length says it under the box ("Up to 2000 characters."), in the portal and the admin.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before a request uses it: after a PostgreSQL restart the next
# request reconnects instead of failing on the dead socket.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica for reports, statistics and exports (portal/db_router.py). Without it
# every read goes to "default". Its lag is the freshness bound of those pages (docs/DEPLOYMENT.md).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = environ.Env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Past this replay lag (seconds) the replica is skipped and reports read from the primary.
DATABASE_REPLICA_MAX_LAG = env.int("DATABASE_REPLICA_MAX_LAG", default=30)
DATABASE_ROUTERS = ["portal.db_router.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "applicants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "applicants:login"
LOGIN_REDIRECT_URL = "applicants:dashboard"
LOGOUT_REDIRECT_URL = "home"
# Verification and reset links stay valid for three days (slow or prepaid data: people
# often open their mail later).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3


# The reverse proxies we run in front of the app (docker compose: one). The person's address is
# the entry they appended to X-Forwarded-For (portal/client_ip.py); 0 means REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# django-axes: five failures lock the account (every spelling of the address is one account,
# applicants/emails.py) for 30 minutes, from wherever they come; a password reset through the
# emailed link lifts the lock, so locking someone out costs them one email at most.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "applicants.emails.axes_username"
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "applicants/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# django-ratelimit: counters live in the shared cache (Redis in production), so every gunicorn
# worker and every container counts together. "N/s|m|h|d". Redis down: requests pass (the
# cache degrades, portal/cache.py) and axes still guards logins.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "portal.client_ip.client_ip"
RATELIMIT_VIEW = "portal.views.too_many_requests"
RATELIMIT_FAIL_OPEN = True
RATE_LIMITS = {
    "signup": env("RATE_LIMIT_SIGNUP", default="10/h"),
    "login": env("RATE_LIMIT_LOGIN", default="30/10m"),
    "password_reset": env("RATE_LIMIT_PASSWORD_RESET", default="5/h"),
    "password_reset_email": env("RATE_LIMIT_PASSWORD_RESET_EMAIL", default="3/h"),
    "verification_resend": env("RATE_LIMIT_VERIFICATION_RESEND", default="3/h"),
    "self_check": env("RATE_LIMIT_SELF_CHECK", default="60/h"),
    "simulator": env("RATE_LIMIT_SIMULATOR", default="120/h"),
    "export": env("RATE_LIMIT_EXPORT", default="20/h"),
}
_POST, _GET = ("POST",), ("GET", "HEAD")
RATE_LIMITED_VIEWS = {
    "applicants:register": [("signup", "ip", _POST, False)],
    "applicants:login": [("login", "ip", _POST, False)],
    "admin:login": [("login", "ip", _POST, False)],
    "applicants:password_reset": [
        ("password_reset", "ip", _POST, False),
        ("password_reset_email", "applicants.emails.ratelimit_key_email", _POST, False),
    ],
    "applicants:verify_email_resend": [("verification_resend", "user_or_ip", _POST, False)],
    "loans:self_check": [("self_check", "ip", _GET, True)],
    "loans:simulator": [("simulator", "ip", _GET, True)],
    "applicants:data_export_json": [("export", "user_or_ip", _GET, False)],
    "applicants:data_export_pdf": [("export", "user_or_ip", _GET, False)],
    "loans:report_export": [("export", "user_or_ip", _POST, False)],
    "loans:statistics_csv": [("export", "ip", _GET, False)],
}
SILENCED_SYSTEM_CHECKS = [
    # The Redis cache is portal.cache.FaultTolerantRedisCache, a subclass of Django's own.
    "django_ratelimit.W001",
    # Per-address lockout is replaced by per-account lockout plus the per-address login rate
    # limit above (RATE_LIMITS["login"]), counted on the real client address.
    "axes.W006",
]

# Sessions: a returnee stays logged in until 7 days without a visit; staff, who can open
# everyone's data, log in again after 8 hours and whenever the browser closes.
RETURNEE_SESSION_IDLE_SECONDS = env.int("RETURNEE_SESSION_IDLE_SECONDS", default=7 * 24 * 60 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=8 * 60 * 60)
SESSION_COOKIE_AGE = RETURNEE_SESSION_IDLE_SECONDS

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the web root and are only served through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "uploads")))
# Documents and background exports go through Django's default storage: the local disk
# (MEDIA_ROOT) unless S3_BUCKET names a private bucket on an S3-compatible server (MinIO, AWS,
# any provider), which every web and worker process on every host then shares.
S3_BUCKET = env("S3_BUCKET", default="")
# Where `manage.py backup` (make backup) writes its archives (docs/OPERATIONS.md).
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
# How a download leaves the bucket: "stream" through the web process (the bucket is never
# reachable from outside), or "presigned": a redirect to a URL valid S3_PRESIGNED_SECONDS.
STORAGE_DOWNLOADS = env("STORAGE_DOWNLOADS", default="stream")
S3_PRESIGNED_SECONDS = env.int("S3_PRESIGNED_SECONDS", default=60)
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "portal.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="us-east-1"),
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("S3_PREFIX", default=""),
            # Private objects, presigned URLs only, never overwrite a stored document.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_PRESIGNED_SECONDS,
            "file_overwrite": False,
            # MinIO and most S3-compatible servers want the bucket in the path.
            "addressing_style": env("S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Retorno Productivo <no-responder@localhost>")
SITE_URL = env("SITE_URL", default="http://localhost:8000")

REDIS_URL = env("REDIS_URL", default="")
# Short timeouts: a cache that does not answer within half a second is treated as a miss.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_on_timeout": False}
CACHES = {
    "default": (
        {"BACKEND": "portal.cache.FaultTolerantRedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_CACHE_OPTIONS}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# An acks_late task whose worker lost the broker connection is cancelled and redelivered
# (every task here is safe to run twice), instead of being acknowledged on a dead channel.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Celery's Django fixup closes the database connection before and after every task unless
# this is set: a new PostgreSQL connection per task, about as costly as an eligibility check
# (docs/BENCHMARKS.md). portal/celery.py applies Django's own rules instead (CONN_MAX_AGE,
# unusable connections), as a request does; Celery still recycles every 1,000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message to another worker after visibility_timeout: it must be
# longer than the longest task's hard limit, or a running task is delivered twice. Tests that
# kill a worker shorten it (REDIS_VISIBILITY_TIMEOUT) to see the redelivery within seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("REDIS_VISIBILITY_TIMEOUT", default=60 * 60)}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Task names decide the queue: loans.eligibility.* (checks, batches, sweeps, re-checks),
# applicants.* and loans.notifications.* (emails, texts, reminders, digests), loans.exports.*.
CELERY_TASK_ROUTES = {
    "applicants.*": {"queue": "notifications"},
    "loans.notifications.*": {"queue": "notifications"},
    "loans.eligibility.*": {"queue": "eligibility"},
    "loans.exports.*": {"queue": "exports"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Celery would replace the root logger's handlers with its own, dropping the PII filter, the
# request ids and the JSON format of LOGGING below: the worker logs through the same handler as the web.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# django-csp 4: no inline script or style anywhere, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# LOG_FORMAT=json: one JSON object per line (for a log shipper); plain text otherwise. Every
# line carries the request id (X-Request-ID), also in the Celery tasks the request queued.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_pii": {"()": "portal.logging.RedactPIIFilter"},
        "request_id": {"()": "portal.request_id.RequestIdLogFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "redact_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # django.request logs whole request reprs on errors; keep it to warnings and above.
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
OTP_TOTP_ISSUER = "Retorno Productivo"
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

# Fail fast when the broker is down: the request has already committed its work and a
# periodic sweeper queues what was missed.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
SMS_BACKEND = env("SMS_BACKEND", default="applicants.sms.ConsoleSMSBackend")

# /metrics (Prometheus) answers only these client addresses or networks (CIDR); empty: nobody.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
# How long /healthz reuses its ping of the Celery workers: a probe every few seconds from
# each load balancer must not become a broadcast to every worker each time.
HEALTH_WORKER_PING_TIMEOUT = 1.0
HEALTH_WORKER_CACHE_SECONDS = 10
