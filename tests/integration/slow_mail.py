"""An email backend for the worker-killed test: it waits before writing the message file.

Selected in a worker subprocess with EMAIL_BACKEND=tests.integration.slow_mail.SlowFileBackend;
SLOW_EMAIL_SECONDS says how long. It touches ``<EMAIL_FILE_PATH>/sending-<pid>`` first, so the
test knows the worker is inside the send, then sleeps: a SIGKILL now leaves no message.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        marker = Path(settings.EMAIL_FILE_PATH) / f"sending-{os.getpid()}"
        marker.touch()
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(email_messages)


class RefusingBackend(EmailBackend):
    """An SMTP server that refuses every recipient, naming the address in its error."""

    def send_messages(self, email_messages):
        import smtplib

        recipients = {
            address: (550, b"5.1.1 " + address.encode() + b": user unknown")
            for m in email_messages
            for address in m.to
        }
        raise smtplib.SMTPRecipientsRefused(recipients)
