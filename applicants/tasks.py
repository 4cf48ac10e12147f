from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User
from .tokens import email_verification_token


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
    from django.db import transaction
    from django.utils import timezone

    from .models import Notification
    from .sms import get_backend

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
        message = EmailMultiAlternatives(notification.subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    if sms:
        phone = getattr(getattr(user, "profile", None), "phone", None)
        if phone:
            get_backend().send(phone, f"{notification.subject}. {link}".strip())
    return True
