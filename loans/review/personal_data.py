"""What the review package holds about a person, for the personal-data registry: the
messages exchanged with officers and the officers' internal notes on their applications."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from applicants.personal_data import DataProvider
from loans.applications.models import ApplicationMessage
from loans.review.models import ReviewNote


def export(user) -> dict[str, Any]:
    messages = ApplicationMessage.objects.filter(application__applicant=user).select_related("application")
    notes = ReviewNote.objects.filter(application__applicant=user).select_related("application")
    return {
        "messages": [
            {
                "application": m.application.reference,
                "when": m.created_at.isoformat(),
                "from_you": m.from_applicant,
                "body": m.body,
            }
            for m in messages
        ],
        "officer_notes": [
            {"application": n.application.reference, "when": n.created_at.isoformat(), "note": n.body} for n in notes
        ],
    }


def erase(user) -> dict[str, int]:
    return {
        "messages": ApplicationMessage.objects.filter(application__applicant=user).delete()[0],
        "notes": ReviewNote.objects.filter(application__applicant=user).delete()[0],
    }


PROVIDER = DataProvider(
    name="loans.review",
    label=_("Messages with officers and their notes"),
    export=export,
    erase=erase,
    order=100,
)
