"""Stored files (documents, background exports) on whichever storage ``STORAGES["default"]`` names.

The embedded default is the local disk under MEDIA_ROOT; production with ``S3_BUCKET`` uses a
private bucket through django-storages (docs/DEPLOYMENT.md). Code that keeps or serves a
file goes through these helpers instead of paths, so both behave the same:

- ``save_exact`` writes a file under exactly the name given, replacing what was there;
- ``download_response`` sends a stored file as an attachment, after the caller's permission
  check: streamed through this process, or (``STORAGE_DOWNLOADS=presigned`` on S3) as a
  redirect to a URL that is valid for ``S3_PRESIGNED_SECONDS`` and forces the download;
- ``sha256_of`` and ``walk`` serve the copy to the bucket and the backups.

On the local disk, ``AtomicFileSystemStorage`` makes uploads land whole or not at all:
Django's FileSystemStorage streams an upload straight into its final name, so a full disk
or a dying process leaves a truncated file under a name a row may point to. Here the bytes
go to a temporary file in the same directory, are flushed, then linked into place in one
step; on failure the temporary file is removed and the error goes up to the caller, which
shows a form error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.utils import clean_name

CHUNK_BYTES = 1024 * 1024
# A download is sent in pieces of this size (Django's default is 4 KB: a thousand reads per 4 MB photo).
DOWNLOAD_BLOCK_BYTES = 64 * 1024


def is_s3(storage: Storage | None = None) -> bool:
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def save_exact(name: str, content, storage: Storage | None = None) -> str:
    """Store ``content`` under ``name`` itself (no ``_abc123`` suffix): a retried task replaces its own file."""
    storage = storage or default_storage
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:  # another writer took the name between delete and save
        storage.delete(saved)
        raise FileExistsError(name)
    return saved


def _s3_stream(storage, name: str):
    """The object body as a readable stream, read as the client reads: never wholly in memory."""
    obj = storage.bucket.Object(storage._normalize_name(clean_name(name)))
    response = obj.get()
    return response["Body"], response["ContentLength"]


def download_response(name: str, *, filename: str, content_type: str, storage: Storage | None = None):
    """The stored file ``name`` as a download called ``filename``; the caller has checked the permission."""
    storage = storage or default_storage
    response: HttpResponseBase
    if is_s3(storage) and settings.STORAGE_DOWNLOADS == "presigned":
        url = storage.url(  # type: ignore[call-arg]  # S3Storage.url takes parameters and expire
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "no-store",
            },
            expire=settings.S3_PRESIGNED_SECONDS,
        )
        response = HttpResponseRedirect(url)
    elif is_s3(storage):
        body, length = _s3_stream(storage, name)
        response = FileResponse(body, as_attachment=True, filename=filename, content_type=content_type)
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(
            storage.open(name, "rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    if isinstance(response, FileResponse):
        response.block_size = DOWNLOAD_BLOCK_BYTES
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sha256_of(name: str, storage: Storage | None = None) -> str:
    storage = storage or default_storage
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def walk(storage: Storage | None = None, top: str = "") -> Iterator[str]:
    """Every stored file's name under ``top``, in a stable order."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:  # a local storage nothing was written to yet
        return
    for file in sorted(files):
        yield f"{top}/{file}" if top else file
    for directory in sorted(directories):
        yield from walk(storage, f"{top}/{directory}" if top else directory)


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        while True:
            full_path = self.path(name)
            directory = os.path.dirname(full_path)
            os.makedirs(directory, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    for chunk in content.chunks():
                        handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                    handle.flush()
                    os.fsync(handle.fileno())
                if self.file_permissions_mode is not None:
                    os.chmod(temporary, self.file_permissions_mode)
                try:
                    # A hard link never replaces an existing file: a name taken meanwhile is retried.
                    os.link(temporary, full_path)
                except FileExistsError:
                    name = self.get_available_name(name)
                    continue
                return str(name).replace("\\", "/")
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
