"""Tell a person something: an inbox message, an email and, when asked, a text message.

Each notification has a unique key, so a retried or redelivered task creates and sends it once.
"""

from __future__ import annotations

from django.db import transaction

from portal.queue import enqueue

from .models import Notification, User
from .services import notification_create
from .tasks import deliver_notification


def notify(
    *, user: User, key: str, kind: str, subject: str, body: str, link: str = "", sms: bool = False
) -> Notification:
    notification, created = notification_create(user=user, key=key, kind=kind, subject=subject, body=body, link=link)
    if created:
        transaction.on_commit(lambda: enqueue(deliver_notification, notification.pk, sms=sms))
    return notification
