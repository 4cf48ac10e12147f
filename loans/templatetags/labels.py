"""Stored codes in the reader's words: statuses, investment kinds, countries."""

import re

from django import template
from django.utils.translation import gettext as _

from applicants.countries import country_name
from loans.choices import ApplicationStatus, InvestmentCategory
from loans.eligibility.models import EligibilityResult

register = template.Library()


def _label(enum, value) -> str:
    return str(enum(value).label) if value in enum.values else (value or "—")


@register.filter
def status_label(value: str) -> str:
    return _label(ApplicationStatus, value)


@register.filter
def investment_label(value: str) -> str:
    return _label(InvestmentCategory, value)


# How eligibility_run records its move; the outcome code is shown in words.
_ELIGIBILITY_REASON = re.compile(r"^eligibility (?P<version>\S+): (?P<outcome>\w+)$")


@register.filter
def event_reason(value: str) -> str:
    match = _ELIGIBILITY_REASON.match(value or "")
    if not match:
        return value
    return _("Automatic check (%(version)s): %(outcome)s") % {
        "version": match["version"],
        "outcome": _label(EligibilityResult.Outcome, match["outcome"]),
    }


@register.filter
def country(value: str) -> str:
    return country_name(value) if value else "—"
