import logging
from datetime import timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.queue import enqueue

from .choices import AccountMail
from .models import Notification
from .selectors import processing_stopped
from .sms import get_backend
from .tokens import email_verification_token

logger = logging.getLogger(__name__)


def _site_link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _account_mail(notification) -> tuple[str, str, str] | None:
    """Subject, text and HTML of an account mail, composed now (tokens are never stored).

    None when there is nothing left to send: an address confirmed meanwhile, a closed account.
    """
    user = notification.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    if notification.kind == AccountMail.VERIFY_EMAIL:
        if user.email_verified:
            return None
        token = email_verification_token.make_token(user)
        context = {"user": user, "link": _site_link(reverse("applicants:verify_email", args=[uid, token]))}
        names = ("emails/verify_email_subject.txt", "emails/verify_email.txt", "emails/verify_email.html")
    elif notification.kind == AccountMail.PASSWORD_RESET:
        if not user.has_usable_password():
            return None
        token = default_token_generator.make_token(user)
        context = {"user": user, "link": _site_link(reverse("applicants:password_reset_confirm", args=[uid, token]))}
        names = ("emails/password_reset_subject.txt", "emails/password_reset.txt", "emails/password_reset.html")
    else:
        context = {
            "user": user,
            "login_link": _site_link(reverse("applicants:login")),
            "reset_link": _site_link(reverse("applicants:password_reset")),
        }
        names = ("emails/account_exists_subject.txt", "emails/account_exists.txt", "emails/account_exists.html")
    subject, text, html = (render_to_string(name, context) for name in names)
    return subject.strip(), text, html


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
        account_mail = notification.kind in AccountMail.KINDS
        if not account_mail and processing_stopped(user):
            return False  # consent withdrawn after the row was written: not sent
        link = f"{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link.startswith("/") else ""
        with translation.override(user.preferred_language):
            if account_mail:
                composed = _account_mail(notification)
                if composed is None:
                    notification.emailed_at = timezone.now()  # nothing to send any more: settled
                    notification.save(update_fields=["emailed_at"])
                    return False
                subject, text, html = composed
            else:
                context = {"notification": notification, "link": link}
                subject = notification.subject
                text = render_to_string("emails/notification.txt", context)
                html = render_to_string("emails/notification.html", context)
        message = EmailMultiAlternatives(
            subject,
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
