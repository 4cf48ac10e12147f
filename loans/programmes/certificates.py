"""Completion certificates are judged by their bytes: PDF, JPEG or PNG, at most 10 MB."""

from __future__ import annotations

import io

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

ALLOWED = {"application/pdf", "image/jpeg", "image/png"}
MAX_BYTES = 10 * 1024 * 1024


def check_certificate(uploaded) -> tuple[str, ContentFile]:
    """(original name, content) of an acceptable file, or ValidationError with a clear message."""
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content = uploaded.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB. Take the photo at a lower resolution."), code="big")
    kind = filetype.guess(io.BytesIO(content[:8192]))
    mime = kind.mime if kind else None
    if mime == "application/pdf" and not content.startswith(b"%PDF-"):
        mime = None
    if mime is None and content.startswith(b"%PDF-"):
        mime = "application/pdf"
    if mime not in ALLOWED:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files are accepted. This file is not one of them, whatever its name says."),
            code="bad_type",
        )
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1][:150] or "certificado"
    return name, ContentFile(content)
