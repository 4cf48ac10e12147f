"""Open statistics: anonymised aggregates for everyone (docs/REPORTS.md, "Open statistics").

Counts are of people (distinct applicants who sent an application), never of rows. No cell
with fewer than five people is published:

1. primary suppression: every count below 5 (zero included) is shown as "<5";
2. differences: within a row the measures are nested (applied ≥ approved ≥ disbursed); two
   published counts that differ by 1–4 would reveal a small group, so the smaller is hidden
   (shown "*");
3. complements: a column's published total minus its published cells must not reveal one
   hidden cell, so when a column hides exactly one cell the smallest published one goes too
   (shown "*");
4. an amount is published only where its count of people is.

The tables are read from ``StatisticsCell`` rows that every write keeps current
(``loans.reports.summaries``); ``compute()`` is the full count the nightly rebuild checks them against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear

from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus as S
from loans.reports.filters import AGE_BANDS

MIN_CELL = 5

COUNTS = ("applicants", "approved", "disbursed")
MEASURES = (*COUNTS, "amount_disbursed")
TABLES = ("department", "sector", "sex", "return_type", "age_band")

_GROUP_FIELDS = {
    "department": ("business_department_id", "business_department__name"),
    "sector": ("business_section_id", "business_section__name"),
    "sex": ("applicant__profile__sex", None),
    "return_type": ("applicant__profile__return_type", None),
    "age_band": ("age_band", None),
}


def _age_band():
    """The age band in the year the application was sent (year sent minus year of birth).

    Frozen at sending, like the plan: a person's published band does not move on their
    birthday, so the figures kept current by each write stay equal to a full recount.
    """
    age = ExtractYear("submitted_at") - ExtractYear("applicant__profile__birth_date")
    whens = []
    for band, (youngest, _oldest) in sorted(AGE_BANDS.items(), key=lambda item: -item[1][0]):
        whens.append(When(age_at_sending__gte=youngest, then=Value(band)))
    return Case(*whens, default=Value(""), output_field=CharField()), age


def _aggregates():
    approved = Q(status__in=[S.APPROVED, S.DISBURSED]) | Q(approved_by__isnull=False)
    return {
        "applicants": Count("applicant", distinct=True),
        "approved": Count("applicant", distinct=True, filter=approved),
        "disbursed": Count("applicant", distinct=True, filter=Q(status=S.DISBURSED)),
        "amount_disbursed": Sum("loan__principal", filter=Q(status=S.DISBURSED)),
    }


def _sent(applicant_ids: list[int] | None = None, where: Callable[[str], Any] | None = None):
    band, age = _age_band()
    sent = LoanApplication.objects.filter(submitted_at__isnull=False)
    if applicant_ids is not None:
        sent = sent.filter(applicant_id__in=applicant_ids)
    if where is not None:
        sent = sent.filter(where("applicant_id"))
    return sent.annotate(age_at_sending=age, age_band=band)


def counts_by_table(where: Callable[[str], Any]) -> dict[str, QuerySet]:
    """The counts ``compute()`` makes, as one values() query per table and one ("total") for the
    programme, each selecting the code and then MEASURES; ``where(column)`` restricts the
    applications by applicant (``loans.reports.summaries`` measures a write's applicants with them).

    Grouped by the code alone: the names ``compute()`` adds depend on the code.
    """
    reads: dict[str, QuerySet] = {}
    for table in TABLES:
        code_field, _name_field = _GROUP_FIELDS[table]
        reads[table] = _sent(where=where).order_by().values(code_field).annotate(**_aggregates()).order_by()
    # A constant is not grouped by: one row, as aggregate() gives, even over no applications.
    reads["total"] = (
        _sent(where=where)
        .order_by()
        .annotate(k_code=Value("", output_field=CharField()))
        .values("k_code")
        .annotate(**_aggregates())
        .order_by()
    )
    return reads


def compute(applicant_ids: list[int] | None = None) -> dict:
    """Raw (unsuppressed) counts per table, of these applicants or all (``loans.reports.summaries``
    keeps them in ``StatisticsCell``); private to this module, the summaries and the tests."""
    tables = {}
    for table in TABLES:
        code_field, name_field = _GROUP_FIELDS[table]
        group = [code_field] + ([name_field] if name_field else [])
        rows = []
        for row in _sent(applicant_ids).order_by().values(*group).annotate(**_aggregates()).order_by(code_field):
            rows.append(
                {
                    "code": row[code_field] or "",
                    "name": row[name_field] if name_field and row[name_field] else "",
                    **{measure: row[measure] or 0 for measure in MEASURES},
                }
            )
        tables[table] = rows
    total = _sent(applicant_ids).aggregate(**_aggregates())
    return {"tables": tables, "total": {measure: total[measure] or 0 for measure in MEASURES}}


PRIMARY = "<5"  # fewer than five people
SECONDARY = "*"  # five or more, hidden so that a small cell cannot be worked out


def _hide_row(values: dict, hidden: set) -> bool:
    return hide_small_cells(values, hidden, COUNTS)


def hide_small_cells(values: dict, hidden: set, counts: tuple[str, ...]) -> bool:
    """Hide small counts and small differences between a row's published counts; True if any changed.

    ``counts`` are nested measures of one row (applied ≥ approved ≥ disbursed; enrolled ≥ completed).
    """
    changed = False
    for measure in counts:
        if measure not in hidden and values[measure] < MIN_CELL:
            hidden.add(measure)
            changed = True
    for bigger in counts:
        for smaller in counts:
            if bigger == smaller or bigger in hidden or smaller in hidden:
                continue
            if values[bigger] >= values[smaller] and 0 < values[bigger] - values[smaller] < MIN_CELL:
                hidden.add(smaller)
                changed = True
    return changed


def _published(values: dict, hidden: set) -> dict:
    out = {"code": values.get("code", ""), "name": values.get("name", "")}
    for measure in COUNTS:
        if measure in hidden:
            out[measure] = PRIMARY if values[measure] < MIN_CELL else SECONDARY
        else:
            out[measure] = values[measure]
    out["amount_disbursed"] = SECONDARY if "disbursed" in hidden else values["amount_disbursed"]
    return out


def suppress(raw: dict) -> dict:
    """The publishable version of ``compute()``: hidden cells become "<5" (small) or "*" (complementary)."""
    total = raw["total"]
    total_hidden: set = set()
    while _hide_row(total, total_hidden):
        pass
    tables = {}
    for table, rows in raw["tables"].items():
        hidden: list[set] = [set() for _row in rows]
        changed = True
        while changed:
            changed = False
            for values, row_hidden in zip(rows, hidden, strict=True):
                while _hide_row(values, row_hidden):
                    changed = True
            for measure in COUNTS:
                if measure in total_hidden:
                    continue
                shown = [i for i, row_hidden in enumerate(hidden) if measure not in row_hidden]
                if len(rows) - len(shown) == 1 and shown:
                    hidden[min(shown, key=lambda i: rows[i][measure])].add(measure)
                    changed = True
        tables[table] = [_published(values, row_hidden) for values, row_hidden in zip(rows, hidden, strict=True)]
    published_total = _published(total, total_hidden)
    del published_total["code"], published_total["name"]
    return {"tables": tables, "total": published_total}
