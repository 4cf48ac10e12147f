"""Reads behind the analysts' reports (docs/REPORTS.md).

The funnel, the amounts, jobs planned and found, the median time to a decision and the
portfolio at risk, in total and by department and by sector. Every figure is a SQL
aggregate: one GROUP BY query with conditional aggregates per source table and dimension,
so the number of queries is the same for ten applications or a million. Python only adds
grouped rows together and divides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils import timezone

from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus as S
from loans.reports.filters import ReportFilters
from loans.servicing import daily
from loans.servicing.models import FollowUpVisit, LoanInstalment

# Past the automatic check: in review now, or a later state only reachable through review.
PAST_ELIGIBILITY = (S.IN_REVIEW, S.INFO_REQUESTED, S.RECOMMENDED, S.APPROVED, S.DISBURSED, S.REJECTED)
OPEN_LOAN_STATES = daily.OPEN_STATES
PAR_DAYS = daily.PAR_DAYS  # the daily job tells the summaries which loans cross it

SUBMITTED = Q(submitted_at__isnull=False)
ELIGIBLE = SUBMITTED & (Q(eligibility_outcome__in=["eligible", "review"]) | Q(status__in=PAST_ELIGIBILITY))
APPROVED = Q(status__in=[S.APPROVED, S.DISBURSED]) | Q(approved_by__isnull=False)
DISBURSED = Q(status=S.DISBURSED)

# Dimensions: the application's column and its name, reached from each source table.
DIMENSIONS = {
    "department": ("business_department_id", "business_department__name"),
    "sector": ("business_section_id", "business_section__name"),
}


def planned_jobs(prefix: str = ""):
    """Jobs the plan promised, as frozen at submission (the editable plan may change later)."""
    return Cast(KeyTextTransform("jobs_to_create", f"{prefix}frozen_plan"), IntegerField())


@dataclass
class Row:
    """One line of a report: the whole selection, or one department or sector."""

    code: str | None = None
    name: str = ""
    started: int = 0
    submitted: int = 0
    eligible: int = 0
    approved: int = 0
    disbursed: int = 0
    requested_amount: int = 0
    approved_amount: int = 0
    disbursed_amount: int = 0
    outstanding: int = 0
    at_risk: int = 0
    jobs_planned: int = 0
    visited_loans: int = 0
    jobs_planned_visited: int = 0
    jobs_found: int = 0
    median_days: float | None = None
    decided: int = 0

    @property
    def par30(self) -> float | None:
        """Share (%) of the outstanding principal owed by loans more than 30 days in arrears."""
        if not self.outstanding:
            return None
        return round(100 * self.at_risk / self.outstanding, 1)

    def funnel(self) -> list[tuple[str, int]]:
        return [
            ("started", self.started),
            ("submitted", self.submitted),
            ("eligible", self.eligible),
            ("approved", self.approved),
            ("disbursed", self.disbursed),
        ]


@dataclass
class Report:
    filters: ReportFilters
    total: Row
    by_department: list[Row] = field(default_factory=list)
    by_sector: list[Row] = field(default_factory=list)
    computed_at: str = ""
    # "summary": read from the cells kept current by every write; "live": computed for these filters.
    source: str = "live"

    def rows(self, dimension: str) -> list[Row]:
        return self.by_department if dimension == "department" else self.by_sector


def _grouped(queryset, group: tuple[str, str] | None, **aggregates) -> dict[str | None, dict]:
    if group is None:
        return {None: queryset.aggregate(**aggregates)}
    code, name = group
    return {
        row[code]: row | {"name": row[name]}
        for row in queryset.order_by().values(code, name).annotate(**aggregates).order_by()
    }


def _prefixed(group: tuple[str, str] | None, prefix: str) -> tuple[str, str] | None:
    return None if group is None else (prefix + group[0], prefix + group[1])


def applications(filters: ReportFilters, *, today: date | None = None):
    """The applications a report covers: started (created) in the date range, plus the other filters."""
    return LoanApplication.objects.filter(
        filters.application_q(today=today), filters.date_q("created_at", is_datetime=True)
    )


def _application_figures(filters, group, today) -> dict:
    return _grouped(
        applications(filters, today=today),
        group,
        started=Count("pk"),
        submitted=Count("pk", filter=SUBMITTED),
        eligible=Count("pk", filter=ELIGIBLE),
        approved=Count("pk", filter=APPROVED),
        disbursed=Count("pk", filter=DISBURSED),
        requested_amount=Sum("amount", filter=SUBMITTED),
        approved_amount=Sum(Coalesce("recommended_amount", "amount"), filter=APPROVED),
        disbursed_amount=Sum("loan__principal"),
        jobs_planned=Sum(planned_jobs(), filter=DISBURSED),
    )


def _portfolio_figures(filters, group, today) -> dict:
    """Outstanding principal of open loans, and the part owed by loans over 30 days late."""
    prefix = "loan__application__"
    instalments = LoanInstalment.objects.filter(
        filters.application_q(prefix, today=today),
        filters.date_q(f"{prefix}created_at", is_datetime=True),
        loan__state__in=OPEN_LOAN_STATES,
    )
    owed = F("principal") - F("paid_principal")
    return _grouped(
        instalments,
        _prefixed(group, prefix),
        outstanding=Sum(owed),
        at_risk=Sum(owed, filter=Q(loan__days_in_arrears__gt=PAR_DAYS)),
    )


def _jobs_found(filters, group, today) -> dict:
    """Jobs found at each visited loan's latest visit, against the jobs its plan promised."""
    prefix = "loan__application__"
    later_visit = FollowUpVisit.objects.filter(
        loan=OuterRef("loan"), done_on__isnull=False, months_after__gt=OuterRef("months_after")
    )
    latest_visits = FollowUpVisit.objects.filter(
        filters.application_q(prefix, today=today),
        filters.date_q(f"{prefix}created_at", is_datetime=True),
        done_on__isnull=False,
        jobs_created__isnull=False,
    ).filter(~Exists(later_visit.filter(jobs_created__isnull=False)))
    return _grouped(
        latest_visits,
        _prefixed(group, prefix),
        visited_loans=Count("pk"),
        jobs_found=Sum("jobs_created"),
        jobs_planned_visited=Sum(planned_jobs(prefix)),
    )


def _median_days(filters, group, today) -> dict:
    """Median days from submission to an officer's decision, by the middle row(s) of each group.

    Window functions (ROW_NUMBER and COUNT over each group) keep only the one or two middle
    durations per group in SQL; PostgreSQL and SQLite both run them.
    """
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    partition = [F(group[0])] if group else None
    middle = (
        applications(filters, today=today)
        .filter(decided_at__isnull=False, submitted_at__isnull=False)
        .exclude(status=S.INELIGIBLE)
        .annotate(
            duration=duration,
            position=Window(RowNumber(), partition_by=partition, order_by=[duration.asc(), F("pk").asc()]),
            group_size=Window(Count("pk"), partition_by=partition),
        )
        .filter(Q(position=(F("group_size") + 1) / 2) | Q(position=(F("group_size") + 2) / 2))
        .order_by()
    )
    key = group[0] if group else "no_group"
    if not group:
        middle = middle.annotate(no_group=Value(None, output_field=IntegerField()))
    values: dict[str | None, list[timedelta]] = {}
    sizes: dict[str | None, int] = {}
    for code, value, size in middle.values_list(key, "duration", "group_size"):
        values.setdefault(code, []).append(value)
        sizes[code] = size
    return {
        code: {
            "median_days": round(sum(found, timedelta()).total_seconds() / len(found) / 86400, 1),
            "decided": sizes[code],
        }
        for code, found in values.items()
    }


def _rows(filters: ReportFilters, group, today) -> dict[str | None, Row]:
    rows: dict[str | None, Row] = {}
    for figures in (
        _application_figures(filters, group, today),
        _portfolio_figures(filters, group, today),
        _jobs_found(filters, group, today),
        _median_days(filters, group, today),
    ):
        for code, values in figures.items():
            row = rows.setdefault(code, Row(code=code))
            for name, value in values.items():
                if name == "name":
                    row.name = value or ""
                elif name == "median_days":
                    row.median_days = value
                elif name in Row.__dataclass_fields__ and name != "code":
                    setattr(row, name, value or 0)
    return rows


ADDITIVE = [name for name in Row.__dataclass_fields__ if name not in ("code", "name", "median_days", "decided")]


def build_report(filters: ReportFilters, *, today: date | None = None) -> Report:
    """The whole report; nine queries whatever the data's size.

    The totals add up the department rows (drafts without a department are a row of their
    own), so only the median needs a query of its own for the whole selection.
    """
    today = today or timezone.localdate()
    report = Report(filters=filters, total=Row(), computed_at=timezone.now().isoformat(timespec="seconds"))
    for dimension, group in DIMENSIONS.items():
        rows = sorted(
            _rows(filters, group, today).values(),
            key=lambda row: (row.code is None, -row.started, row.name),
        )
        setattr(report, f"by_{dimension}", rows)
    for name in ADDITIVE:
        setattr(report.total, name, sum(getattr(row, name) for row in report.by_department))
    median = _median_days(filters, None, today).get(None, {})
    report.total.median_days = median.get("median_days")
    report.total.decided = median.get("decided", 0)
    return report
