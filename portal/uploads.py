"""Uploaded files are judged by their bytes, not by their name or declared type.

The one check behind an application's documents (loans.applications.documents) and a
programme's completion certificate (loans.programmes.certificates): read the upload once,
accept only a real PDF, JPEG or PNG of at most ``max_bytes``. Each caller says in its own
words what is too large.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

ACCEPTED_TYPES = ("application/pdf", "image/jpeg", "image/png")


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    content: bytes

    def as_file(self) -> ContentFile:
        return ContentFile(self.content)


def _looks_like_pdf(content: bytes) -> bool:
    # Strict: the header at byte 0, so an HTML page with "%PDF-" further in is not a PDF.
    return content.startswith(b"%PDF-")


def read_upload(uploaded, *, max_bytes: int, too_large: ValidationError, default_name: str) -> CheckedUpload:
    """The upload's name, type and bytes, or ValidationError with a clear message.

    ``too_large`` is raised when more than ``max_bytes`` can be read (whatever size the upload declared).
    """
    if (uploaded.size or 0) == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content = uploaded.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise too_large
    kind = filetype.guess(io.BytesIO(content[:8192]))
    mime = kind.mime if kind else None
    if mime == "application/pdf" and not _looks_like_pdf(content):
        mime = None
    if mime is None and _looks_like_pdf(content):
        mime = "application/pdf"
    if mime not in ACCEPTED_TYPES:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files are accepted. This file is not one of them, whatever its name says."),
            code="bad_type",
        )
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1][:150] or default_name
    return CheckedUpload(original_name=name, content_type=mime, size=len(content), content=content)
