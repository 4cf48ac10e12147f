# syntax=docker/dockerfile:1
# One image for every process of the production stack: web (gunicorn), worker and beat
# (Celery). docker-compose.yml chooses the command; docs/DEPLOYMENT.md explains the stack.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/var/lib/retorno/uploads \
    BACKUP_DIR=/var/lib/retorno/backups

# pg_dump and pg_restore for `manage.py backup` and `restore` (Debian's client: a newer major
# than the server's PostgreSQL 16, which pg_dump supports).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# The code stays owned by root and read-only to the app; only the uploads directory (used
# when no bucket is configured) and the backups directory (a volume) are writable.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home retorno \
    && mkdir -p /var/lib/retorno/uploads /var/lib/retorno/backups \
    && chown retorno:retorno /var/lib/retorno/uploads /var/lib/retorno/backups

WORKDIR /app
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt
# The compiled translations (locale/*/LC_MESSAGES/django.mo) are committed with the code.
COPY . .

# Production settings refuse to load without their secrets, or with short or placeholder ones;
# these dummies exist only for this one command (collectstatic reads no secret and opens no
# connection) and are not kept in the image's environment.
RUN DJANGO_SETTINGS_MODULE=portal.settings.production \
    DJANGO_SECRET_KEY=collectstatic-step-reads-no-secret-0123456789 \
    FIELD_ENCRYPTION_SALT=collectstatic-step-reads-no-salt-0123456789 \
    BLIND_INDEX_KEY=collectstatic-step-reads-no-index-key-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://build.invalid:6379/0 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    EMAIL_HOST=build.invalid \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput

USER retorno
EXPOSE 8000
# gunicorn reads its options from here, whether started by this CMD or by the web command in
# docker-compose.yml. No access log: URLs carry verification and password-reset tokens; the
# reverse proxy in front keeps the access log it needs.
ENV GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --workers 3 --timeout 60 --worker-tmp-dir /dev/shm"
CMD ["gunicorn", "portal.wsgi:application"]
