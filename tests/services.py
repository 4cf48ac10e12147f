"""Which real services this run has, and what to do when one is missing.

With CI=true every service is required: a missing one fails the run. On a newcomer's laptop
the suite runs on the embedded default (SQLite) and skips what needs a missing service,
naming it in the summary.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import uuid
from functools import cache

import redis

CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


@cache
def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(redis_url(), socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def database_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


S3_BUCKET = "retorno-test"
S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


def moto_available() -> bool:
    return importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask") is not None


@cache
def s3_endpoint() -> str:
    """Start moto's S3 server in this process, once per run, on a free 127.0.0.1 port; its URL.

    A real HTTP server speaking the S3 protocol: boto3 and django-storages go through signing,
    HTTP and XML exactly as against MinIO or AWS. It stops with the test process.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._server.server_port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=S3_BUCKET)
    return endpoint


def s3_storage_settings(prefix: str | None = None) -> dict:
    """STORAGES["default"] for the test S3 server, as production builds it, under a fresh prefix."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": s3_endpoint(),
            "region_name": "us-east-1",
            **S3_CREDENTIALS,
            "location": prefix or f"test-{uuid.uuid4().hex}",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }


def missing_for(markers: set[str]) -> list[str]:
    """The services a test with these markers needs and this machine lacks."""
    missing = []
    if markers & {"needs_redis", "needs_worker"} and not redis_available():
        missing.append(f"Redis (not reachable at {redis_url()})")
    if markers & {"needs_postgres", "needs_worker"} and not database_is_postgres():
        missing.append("PostgreSQL (DATABASE_URL is not a postgres:// URL)")
    if "needs_s3" in markers and not moto_available():
        missing.append("an S3 server (moto with Flask: make .venv/.dev-deps)")
    if "browser" in markers and chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    return missing
