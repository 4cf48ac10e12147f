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
