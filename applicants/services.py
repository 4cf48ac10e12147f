"""Writes for accounts, profiles, consent, data-protection requests and notifications."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from portal import changes
from portal.queue import enqueue

from . import crypto
from .consent import CONSENT_VERSION, consent_text
from .models import (
    ConsentRecord,
    DeletionRequest,
    Notification,
    ReturneeProfile,
    User,
)


def user_register(*, email: str, password: str, language: str | None = None) -> User:
    """Create an account with its empty profile and consent, and send the verification email."""
    from .tasks import send_verification_email

    language = (language or get_language() or "es")[:2]
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, preferred_language=language)
        ReturneeProfile.objects.create(user=user)
        consent_give(user=user, language=language)
        transaction.on_commit(lambda: enqueue(send_verification_email, user.pk))
    return user


def verification_email_resend(*, user: User) -> None:
    from .tasks import send_verification_email

    if user.email_verified:
        return
    transaction.on_commit(lambda: enqueue(send_verification_email, user.pk))


def user_verify_email(*, user: User) -> bool:
    """Mark the email verified; returns False when it already was (the link is spent)."""
    with transaction.atomic():
        # Lock so two clicks on the same link record one verification.
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.email_verified_at is not None:
            return False
        locked.email_verified_at = timezone.now()
        locked.save(update_fields=["email_verified_at"])
    user.email_verified_at = locked.email_verified_at
    return True


def user_set_language(*, user: User, language: str) -> None:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def profile_ensure(*, user: User) -> ReturneeProfile:
    profile, _created = ReturneeProfile.objects.get_or_create(user=user)
    return profile


def consent_give(*, user: User, language: str | None = None) -> ConsentRecord:
    return ConsentRecord.objects.create(
        user=user,
        version=CONSENT_VERSION,
        language=(language or get_language() or "es")[:2],
        text=consent_text(),
    )


def profile_update(*, profile: ReturneeProfile, data: dict[str, Any]) -> ReturneeProfile:
    """Save one step of the profile; keeps the blind indexes in step with the encrypted values."""
    for field, value in data.items():
        setattr(profile, field, value)
    if "document_number" in data:
        profile.document_number = crypto.normalize_document_number(profile.document_number or "") or None
        profile.document_number_hash = crypto.document_number_index(profile.document_number or "")
    if "phone" in data:
        profile.phone_hash = crypto.phone_index(profile.phone or "")
    if "declares_truthful" in data:
        profile.declarations_accepted_at = timezone.now() if profile.declares_truthful else None
    profile.full_clean()
    with changes.tracking(applicants=[profile.user_id]):  # sex, return type and age are published figures
        profile.save()
    return profile


def deletion_request_create(*, user: User, reason: str = "") -> DeletionRequest:
    """Record a Ley 1581 deletion request; at most one is pending per person."""
    pending = DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.PENDING).first()
    if pending:
        return pending
    return DeletionRequest.objects.create(user=user, reason=reason)


def returnee_erase(*, deletion_request: DeletionRequest, handled_by: User, response: str = "") -> None:
    """Erase a returnee's personal data and close the account (Ley 1581 suppression).

    The account row stays (anonymised) so that records the law obliges us to keep, such as
    disbursed loans, still have an owner; everything that identifies the person is blanked.
    """
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=deletion_request.pk)
        if request.status != DeletionRequest.Status.PENDING or request.user is None:
            return
        user = request.user
        with changes.tracking(applicants=[user.pk]):  # the age band is a published figure
            ReturneeProfile.objects.filter(user=user).update(
                document_number=None,
                document_number_hash="",
                first_names="",
                last_names="",
                last_names_search="",
                birth_date=None,
                phone=None,
                phone_hash="",
                address=None,
                rur_number="",
            )
        user.email = f"erased-{user.pk}@invalid.example"
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "is_active", "password"])
        user.notifications.all().delete()
        ConsentRecord.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        request.status = DeletionRequest.Status.COMPLETED
        request.handled_at = timezone.now()
        request.handled_by = handled_by
        request.response = response
        request.save(update_fields=["status", "handled_at", "handled_by", "response"])


def notification_create(
    *, user: User, key: str, kind: str, subject: str, body: str, link: str = ""
) -> tuple[Notification, bool]:
    """Create the notification once per key: a retried task finds the row and does nothing."""
    return Notification.objects.get_or_create(
        key=key, defaults={"user": user, "kind": kind, "subject": subject, "body": body, "link": link}
    )


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
