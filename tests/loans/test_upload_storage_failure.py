"""Storage that fails under an upload: a form error, nothing saved, no file left behind."""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from loans.applications import services
from loans.models import ApplicationDocument
from tests.loans.test_uploads import _pdf, _stored_files, _upload

STORAGE_FAILED = "We could not store the file just now. Nothing was saved: try again in a few minutes."


@pytest.fixture
def draft(owner, product):
    application = services.application_create(applicant=owner)
    services.application_set_loan_request(
        application=application, product=product, amount=10_000_000, term_months=24, grace_months=3
    )
    return application


@pytest.fixture
def english(owner_client):
    owner_client.cookies["django_language"] = "en"
    return owner_client


def _assert_refused_and_clean(response, settings) -> None:
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [STORAGE_FAILED]
    assert STORAGE_FAILED in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(settings) == []


def test_a_read_only_storage_gives_a_form_error(english, draft, settings):
    # /proc refuses new directories even to root: as good as a read-only mount.
    settings.MEDIA_ROOT = "/proc/retorno-uploads"

    response = _upload(english, draft, "cedula.pdf", _pdf(), "application/pdf")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [STORAGE_FAILED]
    assert not ApplicationDocument.objects.exists()


def test_a_full_disk_half_way_leaves_no_partial_file(english, draft, settings, monkeypatch):
    real_fdopen = os.fdopen

    class FillsUp:
        """Writes the first 20 bytes, then the disk is full (ENOSPC), as a real write would."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[:20])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("portal.storage.os.fdopen", lambda fd, mode: FillsUp(real_fdopen(fd, mode)))

    response = _upload(english, draft, "cedula.pdf", _pdf(), "application/pdf")

    _assert_refused_and_clean(response, settings)


def test_after_the_disk_has_room_again_the_same_upload_works(english, draft, settings):
    response = _upload(english, draft, "cedula.pdf", _pdf(), "application/pdf")
    assert response.status_code == 302
    assert response["Location"] == reverse("loans:application_documents", args=[draft.public_id])
    assert [default_storage.open(name).read() for name in _stored_files(settings)] == [_pdf()]
