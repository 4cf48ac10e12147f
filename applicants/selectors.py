"""Reads for accounts and profiles: step progress, consent, the Ley 1581 data export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .countries import country_name
from .models import ConsentRecord, Notification, ReturneeProfile, User
from .phones import format_phone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ProfileStep:
    slug: str
    title: StrOrPromise
    fields: tuple[str, ...]


# The order returnees fill their profile in; each step lists the fields it needs complete.
PROFILE_STEPS: tuple[ProfileStep, ...] = (
    ProfileStep(
        "identity",
        _("Identity"),
        (
            "document_type",
            "document_number",
            "is_colombian_national",
            "first_names",
            "last_names",
            "birth_date",
            "sex",
        ),
    ),
    ProfileStep("contact", _("Contact"), ("phone",)),
    ProfileStep("residence", _("Where you live"), ("department", "municipality", "address")),
    ProfileStep(
        "return",
        _("Your return"),
        ("country_returned_from", "departure_date", "return_date", "return_type", "forced_return"),
    ),
    ProfileStep("household", _("Education and household"), ("education_level", "household_size")),
    ProfileStep(
        "declarations",
        _("Declarations"),
        (
            "declares_no_custodial_sentence",
            "declares_no_public_admin_conviction",
            "declares_benefits_not_used",
            "declares_truthful",
        ),
    ),
)
STEP_BY_SLUG = {step.slug: step for step in PROFILE_STEPS}


# Yes/no questions: None is unanswered and "No" is an answer; a declaration counts only when ticked.
_YES_NO_FIELDS = frozenset({"is_colombian_national", "forced_return"})


def _filled(field: str, value: Any) -> bool:
    if field in _YES_NO_FIELDS:
        return value is not None
    return value not in (None, "", False)


def _step_fields(profile: ReturneeProfile, step: ProfileStep) -> tuple[str, ...]:
    """The fields a step needs from this person: a person still abroad answers other questions."""
    if step.slug == "residence" and profile.lives_abroad:
        return ("abroad_country", "abroad_city", "abroad_address")
    if step.slug == "return":
        fields = [f for f in step.fields if f != "return_date"]
        fields.append("planned_return_date" if profile.lives_abroad else "return_date")
        if profile.forced_return:
            # Deported people may not know the day they left; an officer reviews it.
            fields.remove("departure_date")
        return tuple(fields)
    return step.fields


def profile_step_done(profile: ReturneeProfile, step: ProfileStep) -> bool:
    return all(_filled(field, getattr(profile, field)) for field in _step_fields(profile, step))


def profile_progress(profile: ReturneeProfile) -> list[tuple[ProfileStep, bool]]:
    return [(step, profile_step_done(profile, step)) for step in PROFILE_STEPS]


def profile_is_complete(profile: ReturneeProfile) -> bool:
    return all(done for _step, done in profile_progress(profile))


def profile_next_step(profile: ReturneeProfile) -> ProfileStep | None:
    return next((step for step, done in profile_progress(profile) if not done), None)


def profile_for_owner(*, public_id, user: User) -> ReturneeProfile:
    """The profile if it belongs to this user; 404 for anyone else, staff included."""
    return get_object_or_404(
        ReturneeProfile.objects.select_related("user", "department", "municipality"),
        public_id=public_id,
        user=user,
    )


def profile_of(user: User) -> ReturneeProfile | None:
    return ReturneeProfile.objects.filter(user=user).first()


def consent_current(user: User) -> ConsentRecord | None:
    return user.consents.filter(withdrawn_at__isnull=True).order_by("-given_at").first()


def processing_stopped(user: User) -> bool:
    """The person gave consent and withdrew it: no more messages or processing (Ley 1581).

    Staff never gave a returnee's consent, so they are not "stopped".
    """
    consents = user.consents.all()
    return consents.exists() and not consents.filter(withdrawn_at__isnull=True).exists()


def notifications_for(user: User) -> QuerySet[Notification]:
    return user.notifications.filter(in_inbox=True)


def unread_count(user: User) -> int:
    return user.notifications.filter(in_inbox=True, read_at__isnull=True).count()


def returnee_data_export(profile: ReturneeProfile) -> dict[str, Any]:
    """Everything the portal holds about a person, in the shape they can read (Ley 1581 access)."""
    user = profile.user

    def display(field: str) -> str:
        value = getattr(profile, field)
        getter = getattr(profile, f"get_{field}_display", None)
        return str(getter()) if getter and value else ("" if value is None else str(value))

    return {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
            "preferred_language": user.preferred_language,
        },
        "profile": {
            "document_type": display("document_type"),
            "document_number": profile.document_number or "",
            "is_colombian_national": profile.is_colombian_national,
            "first_names": profile.first_names,
            "last_names": profile.last_names,
            "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
            "sex": display("sex"),
            "phone": format_phone(profile.phone or ""),
            "department": profile.department.name if profile.department else "",
            "municipality": profile.municipality.name if profile.municipality else "",
            "address": profile.address or "",
            "lives_abroad": profile.lives_abroad,
            "abroad_country": country_name(profile.abroad_country) if profile.abroad_country else "",
            "abroad_city": profile.abroad_city,
            "abroad_address": profile.abroad_address or "",
            "planned_return_date": profile.planned_return_date.isoformat() if profile.planned_return_date else None,
            "country_returned_from": country_name(profile.country_returned_from)
            if profile.country_returned_from
            else "",
            "departure_date": profile.departure_date.isoformat() if profile.departure_date else None,
            "return_date": profile.return_date.isoformat() if profile.return_date else None,
            "return_type": display("return_type"),
            "forced_return": profile.forced_return,
            "rur_number": profile.rur_number,
            "education_level": display("education_level"),
            "household_size": profile.household_size,
            "declarations_accepted_at": profile.declarations_accepted_at.isoformat()
            if profile.declarations_accepted_at
            else None,
        },
        "consents": [
            {
                "version": consent.version,
                "language": consent.language,
                "text": consent.text,
                "given_at": consent.given_at.isoformat(),
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in user.consents.all()
        ],
        "deletion_requests": [
            {"requested_at": r.requested_at.isoformat(), "status": r.status} for r in user.deletion_requests.all()
        ],
        "notifications": [
            {"created_at": n.created_at.isoformat(), "subject": n.subject, "body": n.body}
            for n in user.notifications.all()
        ],
    }
