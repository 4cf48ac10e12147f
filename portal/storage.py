"""Uploads land whole or not at all.

Django's FileSystemStorage streams an upload straight into its final name: when the disk
fills up or the process dies half way, a truncated file stays behind under a name that a
database row may point to. Here the bytes go to a temporary file in the same directory,
are flushed to disk, then linked into place in one step; on any failure the temporary file
is removed and the error goes up to the caller, which shows a form error.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage


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
