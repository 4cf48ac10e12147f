"""Uploaded documents are judged by their bytes, not by their name or declared type (portal.uploads)."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.uploads import CheckedUpload, read_upload

MAX_DOCUMENT_BYTES = getattr(settings, "MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)


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
    # Say the size when the upload declares it too large, before reading it; the shared check
    # refuses an empty file, a file that reads larger than declared, and what is not PDF, JPEG or PNG.
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s. Take the photo at a lower resolution or split the PDF.")
            % {"size": _size_over_limit(size), "limit": filesizeformat(MAX_DOCUMENT_BYTES)},
            code="too_large",
        )
    return read_upload(
        uploaded,
        max_bytes=MAX_DOCUMENT_BYTES,
        too_large=ValidationError(_("The file is larger than the limit."), code="too_large"),
        default_name="documento",
    )
