"""A second web process (gunicorn, its own memory and disk view) serves a document the first stored.

What several replicas behind the proxy need: the file lives in the bucket, the session in the
shared database; nothing is in the first process or on its disk.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loans.applications.models import ApplicationDocument
from tests import services

REPO = Path(__file__).resolve().parent.parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40

pytestmark = [pytest.mark.needs_s3, pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def second_web_process(s3_storage, tmp_path):
    """gunicorn on a free port, same database and bucket prefix, another MEDIA_ROOT-less disk."""
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": _database_url(),
        "S3_BUCKET": services.S3_BUCKET,
        "S3_ENDPOINT_URL": services.s3_endpoint(),
        "S3_ACCESS_KEY_ID": services.S3_CREDENTIALS["access_key"],
        "S3_SECRET_ACCESS_KEY": services.S3_CREDENTIALS["secret_key"],
        "S3_PREFIX": s3_storage.location,
        "MEDIA_ROOT": str(tmp_path / "second-process-disk"),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [GUNICORN, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_a_document_uploaded_through_one_process_is_downloaded_through_another(
    second_web_process, owner_client, ready_draft, s3_storage, tmp_path
):
    response = owner_client.post(
        reverse("loans:application_documents", args=[ready_draft.public_id]),
        {"kind": "other", "file": SimpleUploadedFile("foto.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get(original_name="foto.png")
    assert s3_storage.exists(document.file.name)

    connection = http.client.HTTPConnection("127.0.0.1", second_web_process, timeout=30)
    connection.request(
        "GET",
        reverse("loans:document_download", args=[document.public_id]),
        headers={"Cookie": f"sessionid={owner_client.cookies['sessionid'].value}", "Host": "localhost"},
    )
    answer = connection.getresponse()
    body = answer.read()
    connection.close()

    assert answer.status == 200, body[:500]
    assert answer.getheader("Content-Disposition") == 'attachment; filename="foto.png"'
    assert hashlib.sha256(body).hexdigest() == document.sha256 == hashlib.sha256(PNG).hexdigest()
    assert not (tmp_path / "second-process-disk").exists()  # nothing came from a disk of its own
