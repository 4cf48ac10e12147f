"""Tell a person something: an inbox message, an email and, when asked, a text message.

Every message, account mails included, is a ``Notification`` row written in the same
transaction as the change that causes it and delivered after commit; a periodic sweeper
(applicants.sweep_undelivered_notifications) delivers rows whose queueing failed. Each row
has a unique key, so a retried or redelivered task creates and sends it once.
"""

from __future__ import annotations

from .models import Notification, User
from .selectors import processing_stopped
from .services import deliver_on_commit, notification_create


def notify(
    *, user: User, key: str, kind: str, subject: str, body: str, link: str = "", sms: bool = False
) -> Notification | None:
    """Record and queue a message; nothing for a person who withdrew their consent (Ley 1581)."""
    if processing_stopped(user):
        return None
    notification, created = notification_create(user=user, key=key, kind=kind, subject=subject, body=body, link=link)
    if created:
        deliver_on_commit(notification, sms=sms)
    return notification
