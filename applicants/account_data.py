"""What the applicants app holds about a person, for the personal-data registry:
account, profile, consents, data-protection requests, notifications and login records."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ConsentRecord, DeletionRequest, Notification, ReturneeProfile, User
from .personal_data import DataProvider
from .selectors import returnee_data_export

ERASED = "[erased]"


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@invalid.example"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _login_records(user: User) -> dict[str, Any]:
    return {
        "failed_attempts": [
            {"attempted_at": _iso(a.attempt_time), "failures": a.failures_since_start, "ip_address": a.ip_address}
            for a in AccessAttempt.objects.filter(username=user.email)
        ],
        "logins": [
            {"attempted_at": _iso(a.attempt_time), "logged_out_at": _iso(a.logout_time), "ip_address": a.ip_address}
            for a in AccessLog.objects.filter(username=user.email)
        ],
        "failed_logins": [
            {"attempted_at": _iso(a.attempt_time), "ip_address": a.ip_address}
            for a in AccessFailureLog.objects.filter(username=user.email)
        ],
    }


def export(user: User) -> dict[str, Any]:
    profile = ReturneeProfile.objects.filter(user=user).first() or ReturneeProfile(user=user)
    data = returnee_data_export(profile)
    data["deletion_requests"] = [
        {
            "requested_at": _iso(r.requested_at),
            "status": r.status,
            "reason": r.reason,
            "response": r.response,
            "handled_at": _iso(r.handled_at),
        }
        for r in user.deletion_requests.all()
    ]
    data["notifications"] = [
        {
            "created_at": _iso(n.created_at),
            "kind": n.kind,
            "subject": n.subject,
            "body": n.body,
            "read_at": _iso(n.read_at),
            "emailed_at": _iso(n.emailed_at),
        }
        for n in user.notifications.all()
    ]
    data["login_records"] = _login_records(user)
    return data


def erase(user: User) -> dict[str, int]:
    counts: dict[str, int] = {}
    original_email = user.email
    counts["profile"] = ReturneeProfile.objects.filter(user=user).update(
        document_type="",
        document_number=None,
        document_number_hash="",
        is_colombian_national=None,
        first_names="",
        last_names="",
        last_names_search="",
        birth_date=None,
        phone=None,
        phone_hash="",
        address=None,
        municipality=None,
        country_returned_from="",
        departure_date=None,
        return_date=None,
        forced_return=None,
        rur_number="",
        household_size=None,
        lives_abroad=False,
        abroad_country="",
        abroad_city="",
        abroad_address=None,
        planned_return_date=None,
    )
    counts["deletion_requests"] = DeletionRequest.objects.filter(user=user).update(reason="", response="")
    counts["notifications"] = Notification.objects.filter(user=user).delete()[0]
    # The consent text is the portal's, not the person's: the records stay as proof of what was
    # authorised and when it ended.
    counts["consents_closed"] = ConsentRecord.objects.filter(user=user, withdrawn_at__isnull=True).update(
        withdrawn_at=user_erased_at()
    )
    counts["login_records"] = sum(
        model.objects.filter(username=original_email).delete()[0]
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )
    # The admin's change log names the objects it touched ("Ana López", an email address).
    targets = [(ContentType.objects.get_for_model(User), user.pk)]
    targets += [
        (ContentType.objects.get_for_model(ReturneeProfile), pk)
        for pk in ReturneeProfile.objects.filter(user=user).values_list("pk", flat=True)
    ]
    counts["admin_log"] = sum(
        LogEntry.objects.filter(content_type=ct, object_id=str(pk)).update(object_repr=ERASED, change_message="")
        for ct, pk in targets
    )
    if user.email != erased_email(user):
        user.email = erased_email(user)
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "is_active", "password"])
        counts["account"] = 1
    return counts


def user_erased_at():
    return timezone.now()


PROVIDER = DataProvider(
    name="account",
    label=_("Your account and profile"),
    export=export,
    erase=erase,
    order=1000,  # last: the others find the person's rows through the account first
)
