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


def one_page_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table, the smallest the upload check accepts
    (the demo's documents and the tests')."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
