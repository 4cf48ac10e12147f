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


def _grouped(queryset, prefix: str, **aggregates) -> dict[tuple, dict]:
    """The aggregates per (department, sector) pair, with both names: one query for both breakdowns."""
    columns = [prefix + column for dimension in DIMENSIONS.values() for column in dimension]
    return {
        tuple(row[prefix + code] for code, _name in DIMENSIONS.values()): row
        | {dimension: row[prefix + name] for dimension, (_code, name) in DIMENSIONS.items()}
        for row in queryset.order_by().values(*columns).annotate(**aggregates).order_by()
    }


def applications(filters: ReportFilters, *, today: date | None = None):
    """The applications a report covers: started (created) in the date range, plus the other filters."""
    return LoanApplication.objects.filter(
        filters.application_q(today=today), filters.date_q("created_at", is_datetime=True)
    )


def _application_figures(filters, today) -> dict:
    return _grouped(
        applications(filters, today=today),
        "",
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


def _portfolio_figures(filters, today) -> dict:
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
        prefix,
        outstanding=Sum(owed),
        at_risk=Sum(owed, filter=Q(loan__days_in_arrears__gt=PAR_DAYS)),
    )


def _jobs_found(filters, today) -> dict:
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
        prefix,
        visited_loans=Count("pk"),
        jobs_found=Sum("jobs_created"),
        jobs_planned_visited=Sum(planned_jobs(prefix)),
    )


def _median_days(filters, today) -> dict[str | None, dict]:
    """Median days from submission to an officer's decision, per department, per sector and in
    all, by the middle row(s) of each group: {dimension or None: {code: figures}}.

    Window functions (ROW_NUMBER and COUNT over each breakdown, and over the whole selection)
    keep only the one or two middle durations per group in SQL, in one query for the three;
    PostgreSQL and SQLite both run them.
    """
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    order = [duration.asc(), F("pk").asc()]
    partitions = {dimension: [F(code)] for dimension, (code, _name) in DIMENSIONS.items()} | {"all": None}
    windows = {}
    middle = Q()
    for name, partition in partitions.items():
        windows[f"{name}_position"] = Window(RowNumber(), partition_by=partition, order_by=order)
        windows[f"{name}_size"] = Window(Count("pk"), partition_by=partition)
        size = F(f"{name}_size")
        middle |= Q(**{f"{name}_position": (size + 1) / 2}) | Q(**{f"{name}_position": (size + 2) / 2})
    decided = (
        applications(filters, today=today)
        .filter(decided_at__isnull=False, submitted_at__isnull=False)
        .exclude(status=S.INELIGIBLE)
        .annotate(duration=duration, **windows)
        .filter(middle)
        .order_by()
    )
    codes = [code for code, _name in DIMENSIONS.values()]
    values: dict[tuple, list[timedelta]] = {}
    sizes: dict[tuple, int] = {}
    for row in decided.values(*codes, "duration", *windows):
        groups = {dimension: row[code] for dimension, (code, _name) in DIMENSIONS.items()} | {"all": None}
        for name, code in groups.items():
            size, position = row[f"{name}_size"], row[f"{name}_position"]
            if position in ((size + 1) // 2, (size + 2) // 2):
                values.setdefault((name, code), []).append(row["duration"])
                sizes[(name, code)] = size
    medians: dict[str | None, dict] = {dimension: {} for dimension in DIMENSIONS} | {None: {}}
    for (name, code), found in values.items():
        medians[None if name == "all" else name][code] = {
            "median_days": round(sum(found, timedelta()).total_seconds() / len(found) / 86400, 1),
            "decided": sizes[(name, code)],
        }
    return medians


def _rows(filters: ReportFilters, today) -> tuple[dict[str, dict[str | None, Row]], dict]:
    """The rows of both breakdowns (four queries for the two), and the whole selection's median."""
    rows: dict[str, dict[str | None, Row]] = {dimension: {} for dimension in DIMENSIONS}
    for figures in (
        _application_figures(filters, today),
        _portfolio_figures(filters, today),
        _jobs_found(filters, today),
    ):
        for codes, values in figures.items():
            for dimension, code in zip(DIMENSIONS, codes, strict=True):
                row = rows[dimension].setdefault(code, Row(code=code))
                row.name = row.name or values[dimension] or ""
                for name, value in values.items():
                    if name in ADDITIVE:
                        setattr(row, name, getattr(row, name) + (value or 0))
    medians = _median_days(filters, today)
    for dimension in DIMENSIONS:
        for code, values in medians[dimension].items():
            row = rows[dimension].setdefault(code, Row(code=code))
            row.median_days, row.decided = values["median_days"], values["decided"]
    return rows, medians[None].get(None, {})


ADDITIVE = [name for name in Row.__dataclass_fields__ if name not in ("code", "name", "median_days", "decided")]


def build_report(filters: ReportFilters, *, today: date | None = None) -> Report:
    """The whole report; four queries whatever the data's size.

    Each additive figure is grouped by (department, sector) once and added up into both
    breakdowns; the totals add up the department rows (drafts without a department are a row
    of their own); the medians of both breakdowns and of the whole selection come from one query.
    """
    today = today or timezone.localdate()
    report = Report(filters=filters, total=Row(), computed_at=timezone.now().isoformat(timespec="seconds"))
    rows, median = _rows(filters, today)
    for dimension in DIMENSIONS:
        setattr(
            report,
            f"by_{dimension}",
            sorted(rows[dimension].values(), key=lambda row: (row.code is None, -row.started, row.name)),
        )
    for name in ADDITIVE:
        setattr(report.total, name, sum(getattr(row, name) for row in report.by_department))
    report.total.median_days = median.get("median_days")
    report.total.decided = median.get("decided", 0)
    return report
