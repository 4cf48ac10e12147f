"""Uploaded documents are judged by their bytes, not by their name or declared type."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_DOCUMENT_BYTES = getattr(settings, "MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)


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


def _size_over_limit(size: int) -> str:
    # filesizeformat rounds to the nearest tenth, so a file just over 10 MB would read "10.0 MB; the
    # limit is 10.0 MB". Round up instead: the size shown is never below the real one.
    tenth_of_mb = 1024 * 1024 / 10
    if size >= 1024 * 1024:
        return filesizeformat(math.ceil(size / tenth_of_mb) * tenth_of_mb)
    return filesizeformat(size)


def check_upload(uploaded) -> CheckedUpload:
    """Read the upload once and accept only real PDF, JPEG or PNG files of at most 10 MB."""
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s. Take the photo at a lower resolution or split the PDF.")
            % {"size": _size_over_limit(size), "limit": filesizeformat(MAX_DOCUMENT_BYTES)},
            code="too_large",
        )
    content = uploaded.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than the limit."), code="too_large")
    kind = filetype.guess(io.BytesIO(content[:8192]))
    mime = kind.mime if kind else None
    if mime == "application/pdf" and not _looks_like_pdf(content):
        mime = None
    if mime is None and _looks_like_pdf(content):
        mime = "application/pdf"
    if mime not in ALLOWED:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files are accepted. This file is not one of them, whatever its name says."),
            code="bad_type",
        )
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1][:150] or "documento"
    return CheckedUpload(original_name=name, content_type=mime, size=len(content), content=content)
