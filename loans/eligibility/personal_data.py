"""What the eligibility package holds about a person, for the personal-data registry: the
verdicts of every check of their applications (they quote facts such as age or dates)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from applicants.personal_data import DataProvider
from loans.eligibility.models import EligibilityResult


def export(user) -> dict[str, Any]:
    results = EligibilityResult.objects.filter(application__applicant=user).select_related("application")
    return {
        "eligibility_results": [
            {
                "application": r.application.reference,
                "when": r.created_at.isoformat(),
                "outcome": r.get_outcome_display(),
                "ruleset_version": r.ruleset_version,
                "verdicts": r.verdicts,
            }
            for r in results
        ]
    }


def erase(user) -> dict[str, int]:
    # The outcome and ruleset version stay for the statistics; the verdicts name the facts.
    return {"verdicts": EligibilityResult.objects.filter(application__applicant=user).update(verdicts=[])}


PROVIDER = DataProvider(
    name="loans.eligibility",
    label=_("Eligibility checks"),
    export=export,
    erase=erase,
    order=100,
)
