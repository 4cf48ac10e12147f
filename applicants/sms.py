"""Text messages through a pluggable backend. Console (log) by default; a provider is one class."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseSMSBackend:
    def send(self, to: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Writes the message to the log (the number is masked: no PII in logs)."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to ...%s: %s", to[-2:], text)


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in memory, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.outbox.append((to, text))


def get_backend() -> BaseSMSBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "applicants.sms.ConsoleSMSBackend"))()
