import logging
from datetime import timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.queue import enqueue

from .models import Notification, User
from .sms import get_backend
from .tokens import email_verification_token

logger = logging.getLogger(__name__)


@shared_task(
    name="applicants.send_verification_email",
    bind=True,
    acks_late=True,
    max_retries=5,
    autoretry_for=(OSError,),
    retry_backoff=True,
)
def send_verification_email(self, user_id: int) -> bool:
    """Email the confirmation link; does nothing once the address is verified (safe to repeat)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified:
        return False
    path = reverse(
        "applicants:verify_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    context = {"user": user, "link": f"{settings.SITE_URL.rstrip('/')}{path}"}
    with translation.override(user.preferred_language):
        subject = render_to_string("emails/verify_email_subject.txt", context).strip()
        text = render_to_string("emails/verify_email.txt", context)
        html = render_to_string("emails/verify_email.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


@shared_task(
    name="applicants.deliver_notification",
    bind=True,
    acks_late=True,
    max_retries=5,
    autoretry_for=(OSError,),
    retry_backoff=True,
)
def deliver_notification(self, notification_id: int, sms: bool = False) -> bool:
    """Email (and text) one notification exactly once: the row lock and emailed_at guard it."""
    with transaction.atomic():
        # Lock the row: a redelivered copy of this task waits here, then sees emailed_at set.
        notification = (
            Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None or not notification.user.is_active:
            return False
        user = notification.user
        link = f"{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link.startswith("/") else ""
        context = {"notification": notification, "link": link}
        with translation.override(user.preferred_language):
            text = render_to_string("emails/notification.txt", context)
            html = render_to_string("emails/notification.html", context)
        message = EmailMultiAlternatives(
            notification.subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            # One Message-ID per notification: should a crash after the send and before the
            # commit below make the task send again, mail clients show the copies as one.
            headers={"Message-ID": f"<notification-{notification.pk}@{_mail_domain()}>"},
        )
        message.attach_alternative(html, "text/html")
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    if sms:
        phone = getattr(getattr(user, "profile", None), "phone", None)
        if phone:
            try:
                get_backend().send(phone, f"{notification.subject}. {link}".strip())
            except Exception:  # noqa: BLE001 - the email and the inbox already carry the message
                logger.warning("SMS for notification %s failed.", notification.pk, exc_info=True)
    return True


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


@shared_task(name="applicants.sweep_undelivered_notifications", bind=True, acks_late=True, max_retries=0)
def sweep_undelivered_notifications(self, older_than_minutes: int = 5, within_days: int = 2) -> int:
    """Queue the email again for notifications whose delivery was never queued (broker down).

    Only the email is retried: the text message is a courtesy on top of the inbox and email.
    """
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            emailed_at=None,
            user__is_active=True,
            created_at__lte=now - timedelta(minutes=older_than_minutes),
            created_at__gte=now - timedelta(days=within_days),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:5000]
    )
    queued = 0
    for notification_id in ids:
        if not enqueue(deliver_notification, notification_id):
            break  # still down: the next sweep tries again
        queued += 1
    return queued
