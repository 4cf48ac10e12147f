"""Production: every secret comes from the environment and has no default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Rotation: the previous key goes here. Signed tokens and the encrypted fields (which derive
# their keys from SECRET_KEY + FIELD_ENCRYPTION_SALT) still accept it (docs/DEPLOYMENT.md).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The compose stack serves gunicorn on 127.0.0.1 behind one TLS-terminating proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "portal.cache.FaultTolerantRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": REDIS_CACHE_OPTIONS,  # noqa: F405
    }
}
# Sessions are read from Redis and written through to PostgreSQL: any web replica on any
# host finds them, and a flushed Redis logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
SITE_URL = env("SITE_URL")


def _refuse_weak_secrets() -> None:
    """Refuse to start with an empty, short or placeholder secret (docs/DEPLOYMENT.md)."""
    placeholders = ("replace-with", "change-me", "changeme", "placeholder", "example", "not-a-secret", "xxxx")
    secrets = {
        "DJANGO_SECRET_KEY": SECRET_KEY,  # noqa: F405
        "BLIND_INDEX_KEY": BLIND_INDEX_KEY,  # noqa: F405
        "FIELD_ENCRYPTION_SALT": ",".join(SALT_KEY),  # noqa: F405
    }
    weak = [
        name
        for name, value in secrets.items()
        if len(value or "") < 32 or any(word in (value or "").lower() for word in placeholders)
    ]
    if weak:
        raise ImproperlyConfigured(
            f"Weak or placeholder secret(s): {', '.join(weak)}. Each needs at least 32 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )


_refuse_weak_secrets()

# One JSON object per log line (with the request id) for the log shipper; LOG_FORMAT=plain for text.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"  # noqa: F405
