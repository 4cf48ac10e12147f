"""The field-encryption check of /healthz (registered with portal.health from ready())."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from .models import EncryptionCanary, ReturneeProfile

logger = logging.getLogger(__name__)

CANARY = "retorno-productivo-encryption-canary"
# Every Fernet token starts with this (version byte 0x80, base64): a value that still does
# after reading was not decrypted (django-fernet-encrypted-fields returns it as it is).
FERNET_PREFIX = "gAAAAA"


def encryption_state() -> str:
    """ "ok" when the canary and the newest encrypted document number decrypt; else "failing"."""
    try:
        canary, _created = EncryptionCanary.objects.get_or_create(pk=1, defaults={"value": CANARY})
        sample = (
            ReturneeProfile.objects.exclude(document_number=None)
            .order_by("-pk")
            .values_list("document_number", flat=True)
            .first()
        )
    except DatabaseError:
        return "unknown"
    if canary.value != CANARY or (sample or "").startswith(FERNET_PREFIX):
        logger.error("Encrypted fields do not decrypt: check FIELD_ENCRYPTION_SALT and DJANGO_SECRET_KEY.")
        return "failing"
    return "ok"
