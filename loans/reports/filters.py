"""The filters shared by the analysts' reports, the exports and the ``export`` command.

A filter set travels as a query string (``?department=05&date_from=2026-01-01``), is checked
by ``ReportFilterForm`` (clear messages for impossible dates, unknown codes, huge ranges) and
becomes a frozen ``ReportFilters`` that the selectors in ``loans.reports`` and
``loans.exports`` turn into SQL conditions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.choices import ReturnType, Sex
from applicants.models import Department, EconomicSection, Municipality
from loans.choices import ApplicationStatus
from loans.products.models import LoanProduct

# Ley 1565 is of 2012: nothing in the program is older. A range may span at most ten years
# (leave both dates empty for the whole program), so a typo like 0226 for 2026 is caught.
EARLIEST_DATE = date(2012, 1, 1)
MAX_RANGE_DAYS = 3653

# Age bands as analysts and DANE publish them; (label, youngest, oldest or None).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65+": (65, None),
}
AGE_BAND_CHOICES = [(code, code.replace("-", "–")) for code in AGE_BANDS]


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_date_range(band: str, today: date) -> tuple[date | None, date]:
    """(born after, born on or before) for people whose age today falls in the band."""
    youngest, oldest = AGE_BANDS[band]
    latest_birth = years_before(today, youngest)
    earliest_birth = years_before(today, oldest + 1) if oldest is not None else None
    return earliest_birth, latest_birth


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    department: str = ""
    municipality: str = ""
    product: str = ""
    sector: str = ""
    return_type: str = ""
    sex: str = ""
    age_band: str = ""
    status: str = ""

    def as_dict(self) -> dict[str, str]:
        """Only the filters that are set, as strings: for URLs, logs and task arguments."""
        out = {}
        for key, value in asdict(self).items():
            if value:
                out[key] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()[:24]

    def application_q(self, prefix: str = "", *, today: date | None = None) -> Q:
        """Conditions on the application (reached through ``prefix``, e.g. ``loan__application__``)."""
        q = Q()
        if self.department:
            q &= Q(**{f"{prefix}business_department_id": self.department})
        if self.municipality:
            q &= Q(**{f"{prefix}frozen_plan__municipality": self.municipality})
        if self.product:
            q &= Q(**{f"{prefix}product__code": self.product})
        if self.sector:
            q &= Q(**{f"{prefix}business_section_id": self.sector})
        if self.status:
            q &= Q(**{f"{prefix}status": self.status})
        if self.return_type:
            q &= Q(**{f"{prefix}applicant__profile__return_type": self.return_type})
        if self.sex:
            q &= Q(**{f"{prefix}applicant__profile__sex": self.sex})
        if self.age_band:
            earliest, latest = birth_date_range(self.age_band, today or timezone.localdate())
            q &= Q(**{f"{prefix}applicant__profile__birth_date__lte": latest})
            if earliest is not None:
                q &= Q(**{f"{prefix}applicant__profile__birth_date__gt": earliest})
        return q

    def date_q(self, field: str, *, is_datetime: bool) -> Q:
        """The date range on one column, as a half-open range the column's index can use."""
        q = Q()
        if self.date_from:
            start = _start_of_day(self.date_from) if is_datetime else self.date_from
            q &= Q(**{f"{field}__gte": start})
        if self.date_to:
            if is_datetime:
                q &= Q(**{f"{field}__lt": _start_of_day(self.date_to + timedelta(days=1))})
            else:
                q &= Q(**{f"{field}__lte": self.date_to})
        return q


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ReportFilterForm(forms.Form):
    """Every field optional; the page shows the whole program when nothing is chosen."""

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the start date as YYYY-MM-DD, for example 2026-01-31.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the end date as YYYY-MM-DD, for example 2026-12-31.")},
    )
    department = forms.ChoiceField(
        label=_("Department"),
        required=False,
        error_messages={"invalid_choice": _("There is no department with the code “%(value)s”.")},
    )
    municipality = forms.CharField(
        label=_("Municipality (DANE code)"),
        required=False,
        max_length=5,
        help_text=_("Five digits, for example 05001 for Medellín."),
        error_messages={"max_length": _("A municipality code has five digits, for example 05001.")},
    )
    product = forms.ChoiceField(
        label=_("Product"),
        required=False,
        error_messages={"invalid_choice": _("There is no loan product with the code “%(value)s”.")},
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        error_messages={"invalid_choice": _("There is no CIIU section with the code “%(value)s”.")},
    )
    return_type = forms.ChoiceField(
        label=_("Return type"),
        required=False,
        choices=[("", _("All"))] + list(ReturnType.choices),
        error_messages={"invalid_choice": _("There is no return type “%(value)s”.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("All"))] + list(Sex.choices),
        error_messages={"invalid_choice": _("There is no sex code “%(value)s”.")},
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("All")), *AGE_BAND_CHOICES],
        error_messages={"invalid_choice": _("There is no age band “%(value)s”; use one of 18-24 … 65+.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(ApplicationStatus.choices),
        error_messages={"invalid_choice": _("There is no application status “%(value)s”.")},
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self._choice_field("department").choices = [("", _("All"))] + list(
            Department.objects.values_list("code", "name")
        )
        self._choice_field("product").choices = [("", _("All"))] + list(
            LoanProduct.objects.order_by("name").values_list("code", "name")
        )
        self._choice_field("sector").choices = [("", _("All"))] + [
            (code, f"{code} · {name.capitalize()}")
            for code, name in EconomicSection.objects.order_by("code").values_list("code", "name")
        ]

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])  # declared above as a ChoiceField

    def clean_municipality(self) -> str:
        code = self.cleaned_data["municipality"].strip()
        if code and not Municipality.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("There is no municipality with the DANE code “%(value)s”."), params={"value": code}
            )
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        latest = self.today + timedelta(days=366)
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not (EARLIEST_DATE <= day <= latest):
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Choose a date between %(earliest)s and %(latest)s."),
                        params={"earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()},
                    ),
                )
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        elif start and (end or self.today) - start > timedelta(days=MAX_RANGE_DAYS):
            self.add_error(
                "date_to",
                _("A date range can cover at most ten years. Leave both dates empty to see the whole program."),
            )
        municipality, department = cleaned.get("municipality"), cleaned.get("department")
        if municipality and department and not municipality.startswith(department):
            self.add_error(
                "municipality",
                forms.ValidationError(
                    _("The municipality %(municipality)s is not in the department %(department)s."),
                    params={"municipality": municipality, "department": department},
                ),
            )
        return cleaned

    def filters(self) -> ReportFilters:
        """The valid filters (call after ``is_valid()``)."""
        names = {field.name for field in fields(ReportFilters)}
        return ReportFilters(**{name: value for name, value in self.cleaned_data.items() if name in names and value})

    def error_messages_list(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


def parse_filters(data, *, today: date | None = None) -> tuple[ReportFilters | None, ReportFilterForm]:
    form = ReportFilterForm(data, today=today)
    return (form.filters() if form.is_valid() else None), form
