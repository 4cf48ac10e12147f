"""Writes for accounts, profiles, consent, data-protection requests and notifications."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from portal import changes
from portal.queue import enqueue

from . import crypto, personal_data
from .choices import AccountMail
from .consent import CONSENT_VERSION, consent_text
from .emails import normalize_email
from .models import (
    ConsentRecord,
    DeletionRequest,
    Notification,
    PersonalDataErasure,
    ReturneeProfile,
    User,
)
from .tasks import deliver_notification


def user_register(*, email: str, password: str, language: str | None = None) -> User | None:
    """Create an account with its empty profile and consent, and queue the confirmation email.

    An address that already has an account gets no second one and no error on the page (that
    would tell anyone who is registered): its owner is told by email instead. Both paths hash
    the password, so they take the same time. Returns the new user, or None.
    """
    language = (language or get_language() or "es")[:2]
    email = normalize_email(email)
    with transaction.atomic():
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            make_password(password)  # the same work as creating the account
            account_mail_queue(user=existing, kind=AccountMail.ACCOUNT_EXISTS)
            return None
        user = User.objects.create_user(email=email, password=password, preferred_language=language)
        ReturneeProfile.objects.create(user=user)
        consent_give(user=user, language=language)
        account_mail_queue(user=user, kind=AccountMail.VERIFY_EMAIL)
    return user


def account_mail_queue(*, user: User, kind: str) -> Notification:
    """Record an account mail as a notification row in the caller's transaction; it is sent
    after commit, and the sweeper sends it later if the broker was down (applicants.tasks)."""
    notification = Notification.objects.create(
        user=user,
        key=f"{kind}:{user.pk}:{uuid.uuid4().hex}",
        kind=kind,
        subject=str(AccountMail.SUBJECTS[kind]),
        body="",
        in_inbox=False,
    )
    deliver_on_commit(notification)
    return notification


def password_reset_request(*, email: str) -> None:
    """Queue a reset link for the active account of this address, if there is one.

    Nothing is sent inside the request and an unknown address does the same work minus one
    INSERT: the page and its timing are the same either way.
    """
    with transaction.atomic():
        user = User.objects.filter(email=normalize_email(email), is_active=True).first()
        if user is not None and user.has_usable_password():
            account_mail_queue(user=user, kind=AccountMail.PASSWORD_RESET)


def verification_email_resend(*, user: User) -> None:
    if user.email_verified:
        return
    with transaction.atomic():
        account_mail_queue(user=user, kind=AccountMail.VERIFY_EMAIL)


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
    """Carry out a Ley 1581 deletion request: erase the person's data through the registry.

    Idempotent: a request already handled is left as it is.
    """
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=deletion_request.pk)
        if request.status != DeletionRequest.Status.PENDING or request.user is None:
            return
        person_erase(user=request.user, erased_by=handled_by, deletion_request=request)
        request.status = DeletionRequest.Status.COMPLETED
        request.handled_at = timezone.now()
        request.handled_by = handled_by
        request.reason = ""
        request.response = response
        request.save(update_fields=["status", "handled_at", "handled_by", "reason", "response"])


def person_erase(
    *, user: User, erased_by: User | None = None, deletion_request: DeletionRequest | None = None
) -> PersonalDataErasure:
    """Erase everything every package holds about the person except what the law keeps
    (personal_data registry), and record who did it. Safe to run twice: the second run finds
    nothing left and records a summary of zeros.

    The account row stays, anonymised, so that kept records (a disbursed loan) have an owner.
    """

    with transaction.atomic():
        # Lock the account: two staff erasing at once run one after the other.
        locked = User.objects.select_for_update().get(pk=user.pk)
        # Age band, sex, origin and municipality are published figures: the summaries follow.
        with changes.tracking(applicants=[locked.pk]):
            summary = personal_data.erase_person(locked, actor=erased_by)
        erasure = PersonalDataErasure.objects.create(
            user=locked, deletion_request=deletion_request, erased_by=erased_by, summary=summary
        )
    user.refresh_from_db()
    return erasure


def consent_withdraw(*, user: User) -> int:
    """Withdraw the data-processing consent (Ley 1581): every package stops processing (an open
    application is withdrawn through its workflow), no message is sent any more. The data
    stays until the person asks for its deletion. Returns how many consents were closed."""

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        closed = ConsentRecord.objects.filter(user=locked, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        personal_data.stop_processing(locked, actor=locked)
        # Messages written but not yet sent are not sent (the sweeper skips them too).
        Notification.objects.filter(user=locked, emailed_at__isnull=True, in_inbox=True).update(
            emailed_at=timezone.now()
        )
    return closed


def deliver_on_commit(notification: Notification, *, sms: bool = False) -> None:
    """Queue the delivery once the transaction that wrote the row commits."""
    transaction.on_commit(lambda: enqueue(deliver_notification, notification.pk, sms=sms))


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
