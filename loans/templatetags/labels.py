"""Stored codes in the reader's words: statuses, investment kinds, countries."""

from django import template

from applicants.countries import country_name
from loans.choices import ApplicationStatus, InvestmentCategory

register = template.Library()


def _label(enum, value) -> str:
    return str(enum(value).label) if value in enum.values else (value or "—")


@register.filter
def status_label(value: str) -> str:
    return _label(ApplicationStatus, value)


@register.filter
def investment_label(value: str) -> str:
    return _label(InvestmentCategory, value)


@register.filter
def country(value: str) -> str:
    return country_name(value) if value else "—"
