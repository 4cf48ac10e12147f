"""Completion certificates are judged by their bytes: PDF, JPEG or PNG, at most 10 MB (portal.uploads)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from portal.uploads import read_upload

MAX_BYTES = 10 * 1024 * 1024


def check_certificate(uploaded) -> tuple[str, ContentFile]:
    """(original name, content) of an acceptable file, or ValidationError with a clear message."""
    checked = read_upload(
        uploaded,
        max_bytes=MAX_BYTES,
        too_large=ValidationError(
            _("The file is larger than 10 MB. Take the photo at a lower resolution."), code="big"
        ),
        default_name="certificado",
    )
    return checked.original_name, checked.as_file()
