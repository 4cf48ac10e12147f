"""``manage.py copy_files_to_bucket``: local uploads into the bucket, idempotent, resumable, verified."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command

from portal.storage import walk

FILES = {
    "documents/ab/0f1e2d3c4b5a69788796a5b4c3d2e1f0": b"%PDF-1.4\n" + b"x" * 5000,
    "documents/cd/ffeeddccbbaa99887766554433221100": b"\x89PNG\r\n\x1a\n" + b"y" * 300,
    "exports/3f2a.csv": b"reference,status\nRP-1,aprobada\n",
}


def _run(**options) -> str:
    out = io.StringIO()
    call_command("copy_files_to_bucket", stdout=out, **options)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def local_files(settings):
    local = FileSystemStorage(location=settings.MEDIA_ROOT)
    for name, content in FILES.items():
        local.save(name, ContentFile(content))
    return local


def _bucket_contents(storage) -> dict[str, str]:
    return {name: hashlib.sha256(storage.open(name, "rb").read()).hexdigest() for name in walk(storage)}


EXPECTED = {name: hashlib.sha256(content).hexdigest() for name, content in FILES.items()}


@pytest.mark.needs_s3
def test_every_local_file_is_copied_and_verified(local_files, s3_storage, settings):
    assert _run() == "copied 3, already there 0, failed 0"

    assert _bucket_contents(s3_storage) == EXPECTED
    assert sorted(walk(local_files)) == sorted(FILES)  # the source is left alone


@pytest.mark.needs_s3
def test_running_it_again_copies_nothing(local_files, s3_storage):
    _run()

    assert _run() == "copied 0, already there 3, failed 0"
    assert _bucket_contents(s3_storage) == EXPECTED


@pytest.mark.needs_s3
def test_an_interrupted_copy_resumes_and_replaces_a_wrong_object(local_files, s3_storage):
    name = "documents/ab/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    s3_storage.save("exports/3f2a.csv", ContentFile(FILES["exports/3f2a.csv"]))  # copied before the interruption
    s3_storage.save(name, ContentFile(b"%PDF-1.4\n" + b"z" * 5000))  # same size, other bytes

    assert _run() == "copied 2, already there 1, failed 0"
    assert _bucket_contents(s3_storage) == EXPECTED


@pytest.mark.needs_s3
def test_a_copy_that_does_not_verify_fails_the_command(local_files, s3_storage, monkeypatch):
    monkeypatch.setattr("portal.management.commands.copy_files_to_bucket.sha256_of", lambda name, storage: "0" * 64)

    with pytest.raises(CommandError, match="3 file\\(s\\) did not verify; run the command again"):
        _run()


@pytest.mark.needs_s3
def test_dry_run_copies_nothing_and_delete_source_removes_only_verified_files(local_files, s3_storage):
    assert _run(dry_run=True) == "would copy 3, already there 0, failed 0"
    assert list(walk(s3_storage)) == []

    assert _run(delete_source=True) == "copied 3, already there 0, failed 0"
    assert _bucket_contents(s3_storage) == EXPECTED
    assert list(walk(local_files)) == []


def test_it_refuses_to_copy_the_media_root_onto_itself(local_files):
    with pytest.raises(CommandError, match="The default storage is this same directory: set S3_BUCKET first."):
        _run()
