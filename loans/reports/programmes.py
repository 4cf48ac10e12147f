"""Programme figures (issue 11): the funnel enrolled → completed → applied → disbursed by operator
and programme for analysts, and completion counts for the open statistics.

Counts are of people (distinct returnees), from one GROUP BY query each; the open table goes
through the same small-cell suppression as the other open statistics (``statistics``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q

from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus as S
from loans.programmes.models import Enrolment, EnrolmentStatus
from loans.reports import statistics as stats

FUNNEL = ("enrolled", "completed", "applied", "disbursed")
OPEN_COUNTS = ("enrolled", "completed")
CACHE_KEY = "public-statistics:programmes:v1"
# Counted live from the enrolments (not from the summaries: enrolment is not a report figure),
# one GROUP BY at most once an hour.
CACHE_SECONDS = 60 * 60


@dataclass
class ProgrammeRow:
    operator: str
    programme: str
    enrolled: int = 0
    completed: int = 0
    applied: int = 0
    disbursed: int = 0

    def funnel(self) -> list[tuple[str, int]]:
        return [(step, getattr(self, step)) for step in FUNNEL]


def _grouped():
    applied = LoanApplication.objects.filter(applicant=OuterRef("returnee"), submitted_at__isnull=False)
    disbursed = LoanApplication.objects.filter(applicant=OuterRef("returnee"), status=S.DISBURSED)
    return (
        Enrolment.objects.filter(status__in=EnrolmentStatus.holding_a_place())
        .annotate(has_applied=Exists(applied), has_disbursed=Exists(disbursed))
        .order_by()
        .values("cohort__programme__operator__name", "cohort__programme__name", "cohort__programme_id")
        .annotate(
            enrolled=Count("returnee", distinct=True),
            completed=Count("returnee", distinct=True, filter=Q(status=EnrolmentStatus.COMPLETED)),
            applied=Count("returnee", distinct=True, filter=Q(has_applied=True)),
            disbursed=Count("returnee", distinct=True, filter=Q(has_disbursed=True)),
        )
        .order_by("cohort__programme__operator__name", "cohort__programme__name")
    )


def programme_funnel() -> list[ProgrammeRow]:
    """One row per programme that has had anyone in it, by operator (for analysts; not suppressed)."""
    return [
        ProgrammeRow(
            operator=row["cohort__programme__operator__name"],
            programme=row["cohort__programme__name"],
            **{step: row[step] for step in FUNNEL},
        )
        for row in _grouped()
    ]


def suppress_completions(rows: list[dict]) -> list[dict]:
    """Hide small cells and the differences or complements that would reveal them (as ``statistics``)."""
    hidden: list[set[str]] = [set() for _row in rows]
    changed = True
    while changed:
        changed = False
        for values, row_hidden in zip(rows, hidden, strict=True):
            while stats.hide_small_cells(values, row_hidden, OPEN_COUNTS):
                changed = True
        for measure in OPEN_COUNTS:
            shown = [i for i, row_hidden in enumerate(hidden) if measure not in row_hidden]
            if len(rows) - len(shown) == 1 and shown:
                hidden[min(shown, key=lambda i: rows[i][measure])].add(measure)
                changed = True
    published = []
    for values, row_hidden in zip(rows, hidden, strict=True):
        out = {"operator": values["operator"], "programme": values["programme"]}
        for measure in OPEN_COUNTS:
            if measure in row_hidden:
                out[measure] = stats.PRIMARY if values[measure] < stats.MIN_CELL else stats.SECONDARY
            else:
                out[measure] = values[measure]
        published.append(out)
    return published


def programme_statistics() -> list[dict]:
    """People enrolled and completed per programme, suppressed, computed at most once an hour."""
    data = cache.get(CACHE_KEY)
    if data is None:
        rows = [
            {"operator": r.operator, "programme": r.programme, "enrolled": r.enrolled, "completed": r.completed}
            for r in programme_funnel()
        ]
        data = suppress_completions(rows)
        cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return data
