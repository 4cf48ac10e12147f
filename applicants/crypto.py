"""Blind indexes: keyed hashes that let us find and compare encrypted values exactly."""

import contextlib
import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError

from .phones import parse_phone

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def normalize_document_number(value: str) -> str:
    """Uppercase and drop dots, dashes and spaces: '1.020.304-5' and '10203045' are one number."""
    return _NOT_ALNUM.sub("", (value or "").upper())


def blind_index(kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value under BLIND_INDEX_KEY; '' for an empty value."""
    if not value:
        return ""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()


def document_number_index(value: str) -> str:
    return blind_index("document", normalize_document_number(value))


def phone_index(e164: str) -> str:
    return blind_index("phone", e164)


def mask(value: str | None, visible: int = 4) -> str:
    """'1020304050' -> '••••••4050', for lists where a person must not read the whole value."""
    if not value:
        return ""
    shown = value[-visible:] if len(value) > visible else ""
    return "•" * max(len(value) - len(shown), 4) + shown


def search_hashes(term: str) -> set[str]:
    """Blind indexes a search term may match: as a document number and, if it parses, as a phone."""
    hashes = {document_number_index(term)}
    with contextlib.suppress(ValidationError):  # not a phone number: the document number only
        hashes.add(phone_index(parse_phone(term)))
    hashes.discard("")
    return hashes
