"""Figures that are already counted (docs/REPORTS.md, "Summaries").

These summary tables hold the additive figures:

- ``ReportCell``: per month started, department, sector and product, the funnel, amounts,
  portfolio and jobs of the analysts' report;
- ``DecisionCell``: per the same key, how many decisions took each whole number of days (the median);
- ``StatisticsCell``: per open-statistics table and row, the distinct people;
- ``ReportTotal`` and ``DecisionTotal``: the first two summed over months and products, per
  department and per sector, so the unfiltered report (the page analysts open first) reads a
  few hundred rows however large the programme grows. They move with every increment to the
  cells (the same differences, summed), and the rebuild recounts them from the rebuilt cells;
- ``ReportPart`` and ``DecisionPart``: the same sums per (department, sector) pair, read by a
  report filtered by department and/or sector alone (a few hundred rows, however large).

Every write that can change a figure runs inside ``portal.changes.tracking`` (the transition,
draft creation, the loan request, eligibility outcomes, repayments, the daily loan job,
follow-up visits, profile edits). The tracker below measures what the touched applications
(and their applicants) count for before the write and after it, with the very queries the full
rebuild uses restricted to those rows (on PostgreSQL, SQL built once per process; see
"measuring a write's rows" below), and adds the difference to the cells in the same
transaction. Cells are updated in key order, so two writers cannot deadlock on them.

``rebuild()`` (nightly, and at the end of ``seed_bulk``) recomputes every cell from the source
tables, records how many cells the increments had got wrong (``SummaryCheck``; zero is the
proof they are right) and replaces them. No visitor request runs the full aggregation: the
report reads the cells when its filters are ones the cells can answer, and otherwise runs the
live query for that filter set only (marked "computed live").
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DurationField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from applicants.models import Department, EconomicSection
from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus as S
from loans.lenders.models import Intermediary
from loans.lenders.selectors import LenderFigures, figures_by_intermediary
from loans.products.models import LoanProduct
from loans.reports import statistics as stats
from loans.reports.figures import (
    ADDITIVE,
    APPROVED,
    DISBURSED,
    ELIGIBLE,
    OPEN_LOAN_STATES,
    PAR_DAYS,
    SUBMITTED,
    Report,
    Row,
    build_report,
    planned_jobs,
)
from loans.reports.filters import ReportFilters
from loans.reports.models import (
    DecisionCell,
    DecisionPart,
    DecisionTotal,
    ReportCell,
    ReportPart,
    ReportTotal,
    StatisticsCell,
    SummaryCheck,
)
from loans.servicing.models import FollowUpVisit, LoanInstalment
from portal import changes

logger = logging.getLogger(__name__)

KEY = ("month", "department", "sector", "product")
TOTAL_KEY = ("dimension", "code")
PART_KEY = ("department", "sector")
# The report's two breakdowns; their positions in KEY.
DIMENSIONS = {"department": 1, "sector": 2}
MEASURES = [name for name in ADDITIVE if name in {f.name for f in ReportCell._meta.fields}]
STAT_MEASURES = stats.MEASURES
CHUNK = 5000

Key = tuple  # (month, department, sector, product)


# --- what a set of applications counts for ---------------------------------------------------


def _key(prefix: str = "") -> dict:
    return {
        "k_month": TruncMonth(f"{prefix}created_at", output_field=DateField()),
        "k_department": Coalesce(f"{prefix}business_department_id", Value("")),
        "k_sector": Coalesce(f"{prefix}business_section_id", Value("")),
        "k_product": Coalesce(f"{prefix}product_id", Value(0)),
    }


def _grouped(queryset, prefix: str, **aggregates) -> QuerySet:
    key = _key(prefix)
    return queryset.order_by().annotate(**key).values(*key).annotate(**aggregates).order_by()


class DecisionDays(Func):
    """Whole days between submission and decision (rounded), on either database."""

    output_field = IntegerField()

    def __init__(self):
        super().__init__(
            ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()),
        )

    def as_postgresql(self, compiler, conn, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"ROUND(EXTRACT(EPOCH FROM {sql}) / 86400.0)::integer", params

    def as_sqlite(self, compiler, conn, **extra):
        # Django keeps SQLite durations as microseconds.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(ROUND({sql} / 86400000000.0) AS INTEGER)", params


# ``where(column)``: the condition restricting a read to some applicants (None: all of them).
Where = Callable[[str], Any] | None


def _report_reads(where: Where) -> dict[str, QuerySet]:
    """The report's four grouped reads (values() querysets keyed by cell), of all applications or ``where``'s."""
    apps = LoanApplication.objects.all()
    instalments = LoanInstalment.objects.filter(loan__state__in=OPEN_LOAN_STATES)
    visits = FollowUpVisit.objects.filter(done_on__isnull=False, jobs_created__isnull=False)
    if where is not None:
        apps = apps.filter(where("applicant_id"))
        instalments = instalments.filter(where("loan__application__applicant_id"))
        visits = visits.filter(where("loan__application__applicant_id"))
    owed = F("principal") - F("paid_principal")
    later_visit = FollowUpVisit.objects.filter(
        loan=OuterRef("loan"),
        done_on__isnull=False,
        jobs_created__isnull=False,
        months_after__gt=OuterRef("months_after"),
    )
    decided = (
        apps.filter(decided_at__isnull=False, submitted_at__isnull=False)
        .exclude(status=S.INELIGIBLE)
        .annotate(k_days=DecisionDays())
    )
    key = _key()
    return {
        "applications": _grouped(
            apps,
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
        ),
        "instalments": _grouped(
            instalments,
            "loan__application__",
            outstanding=Sum(owed),
            at_risk=Sum(owed, filter=Q(loan__days_in_arrears__gt=PAR_DAYS)),
        ),
        "visits": _grouped(
            visits.filter(~Exists(later_visit)),
            "loan__application__",
            visited_loans=Count("pk"),
            jobs_found=Sum("jobs_created"),
            jobs_planned_visited=Sum(planned_jobs("loan__application__")),
        ),
        "decisions": decided.order_by().annotate(**key).values(*key, "k_days").annotate(n=Count("pk")).order_by(),
    }


def _report_figures(rows: dict[str, list[dict]]) -> tuple[dict[Key, dict], dict[tuple, int]]:
    cells: dict[Key, dict] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for part in ("applications", "instalments", "visits"):
        for row in rows[part]:
            cell = cells[(row["k_month"], row["k_department"], row["k_sector"], row["k_product"])]
            for name in MEASURES:
                if name in row:
                    cell[name] += row[name] or 0
    decisions: dict[tuple, int] = {}
    for row in rows["decisions"]:
        decisions[(row["k_month"], row["k_department"], row["k_sector"], row["k_product"], row["k_days"])] = row["n"]
    return dict(cells), decisions


def _report_read(part: str) -> Callable[[], QuerySet]:
    """One of the report's reads, restricted by an array of applicant ids (built once, ``_prepared``)."""
    return lambda: _report_reads(_any_of)[part]


def report_cells(applicant_ids: list[int] | None) -> tuple[dict[Key, dict], dict[tuple, int]]:
    """(figures per cell, decisions per (cell, days)) of these applicants' applications, or of all.

    By applicant rather than by application, so a write that creates an application (a new
    draft) is measured before and after over the same rows.
    """
    if applicant_ids is None:
        return _report_figures({part: list(reads) for part, reads in _report_reads(None).items()})
    if _prepare():
        return _report_figures(
            {
                part: _prepared(f"report:{part}", _report_read(part)).rows(applicant_ids)
                for part in ("applications", "instalments", "visits", "decisions")
            }
        )
    reads = _report_reads(_in(applicant_ids))
    return _report_figures({part: list(queryset) for part, queryset in reads.items()})


def statistics_cells(applicant_ids: list[int] | None) -> dict[tuple[str, str], dict]:
    """People per (table, code) among these applicants, or all; table "total" is the program."""
    if applicant_ids is None:
        raw = stats.compute()
        cells = {
            (table, row["code"]): {measure: row[measure] for measure in STAT_MEASURES}
            for table, rows in raw["tables"].items()
            for row in rows
        }
        cells[("total", "")] = dict(raw["total"])
        return cells
    if _prepare():
        # The six counts in one statement (UNION ALL), built once per process.
        rows = _prepared_union("statistics", lambda: stats.counts_by_table(_any_of)).rows(applicant_ids)
    else:
        rows = [
            (table, row) for table, queryset in stats.counts_by_table(_in(applicant_ids)).items() for row in queryset
        ]
    cells = {}
    for table, row in rows:
        code = next(iter(row.values()))  # the first column; then the measures, by name
        cells[(table, code or "")] = {measure: row[measure] or 0 for measure in STAT_MEASURES}
    cells.setdefault(("total", ""), dict.fromkeys(STAT_MEASURES, 0))
    return cells


# --- measuring a write's rows: on PostgreSQL, the SQL built once per process -----------------
#
# Building a grouped queryset's SQL costs Django about as much as PostgreSQL takes to run it on
# one applicant's rows, and a transition measures before and after. So each read is compiled
# once, with the applicant ids as one array parameter (``= ANY(%s)``: the same text for any
# ids), kept per process and run with a raw cursor; the rows go through the converters Django
# would apply, so the figures are those of the ORM path (which SQLite keeps).


class AnyOf(Expression):
    """``column = ANY(%s)`` with the ids as one array parameter (PostgreSQL)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, ids: list[int]):
        super().__init__()
        self.column = F(column)
        self.ids = ids

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, conn):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.ids)


def _prepare() -> bool:
    """Run the tracker's reads as SQL built once (PostgreSQL), or through the ORM (SQLite)."""
    return connection.vendor == "postgresql"


# The placeholder for the ids while a statement is built, recognised among its parameters by identity.
_IDS: list[int] = []


def _any_of(column: str) -> AnyOf:
    return AnyOf(column, _IDS)


def _in(ids: list[int]) -> Callable[[str], Q]:
    return lambda column: Q(**{f"{column}__in": ids})


@dataclass(frozen=True)
class _Part:
    names: tuple[str, ...]
    converters: tuple  # ((position, (converters, expression)), ...), as Django's compiler applies them

    def row(self, values) -> dict:
        values = list(values)
        for position, (functions, expression) in self.converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        return dict(zip(self.names, values, strict=True))


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    slots: tuple[int, ...]  # where the ids go among the parameters
    parts: dict[str, _Part]  # one part, "", or per label (the last column) of a UNION ALL

    def _fetch(self, ids: list[int]) -> list[tuple]:
        params = list(self.params)
        for slot in self.slots:
            params[slot] = list(ids)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def rows(self, ids: list[int]) -> list:
        """The rows for these ids: dicts, or (label, dict) pairs from a union."""
        if "" in self.parts:
            return [self.parts[""].row(values) for values in self._fetch(ids)]
        return [(values[-1], self.parts[values[-1]].row(values[:-1])) for values in self._fetch(ids)]


_statements: dict[tuple, _Statement] = {}


def _compile(queryset: QuerySet) -> tuple[str, tuple, _Part]:
    query = queryset.query
    compiler = query.get_compiler(connection.alias)
    sql, params = compiler.as_sql()
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    converters = compiler.get_converters([select[0] for select in compiler.select[: compiler.col_count]])
    return sql, tuple(params), _Part(tuple(names), tuple(converters.items()))


def _slots(params: tuple) -> tuple[int, ...]:
    slots = tuple(position for position, param in enumerate(params) if param is _IDS)
    if not slots:
        raise ValueError("a prepared read must be restricted to the ids")
    return slots


def _cache_key(name: str) -> tuple:
    return (name, connection.alias, timezone.get_current_timezone_name())


def _prepared(name: str, build: Callable[[], QuerySet]) -> _Statement:
    key = _cache_key(name)
    statement = _statements.get(key)
    if statement is None:
        sql, params, part = _compile(build())
        statement = _statements[key] = _Statement(sql, params, _slots(params), {"": part})
    return statement


def _prepared_union(name: str, build: Callable[[], dict[str, QuerySet]]) -> _Statement:
    """One statement for reads of the same columns: each labelled by its last column."""
    key = _cache_key(name)
    statement = _statements.get(key)
    if statement is None:
        selects: list[str] = []
        params: list[Any] = []
        parts: dict[str, _Part] = {}
        for label, queryset in build().items():
            if not label.isidentifier():
                raise ValueError(label)
            sql, part_params, parts[label] = _compile(queryset)
            if parts[label].names[1:] != next(iter(parts.values())).names[1:]:
                raise ValueError(f"{label}: a union's reads must select the same columns")
            # The label is one of this module's table names (checked above), not input.
            selects.append(f"(SELECT part.*, '{label}' FROM ({sql}) AS part)")  # noqa: S608
            params.extend(part_params)
        statement = _statements[key] = _Statement(
            " UNION ALL ".join(selects), tuple(params), _slots(tuple(params)), parts
        )
    return statement


# --- adding differences ----------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _applicants_of(application_ids: list[int]) -> list[dict]:
    def read(where: Callable[[str], Any]) -> QuerySet:
        return LoanApplication.objects.filter(where("id")).order_by().values("applicant_id")

    if _prepare():
        return _prepared("applicants", lambda: read(_any_of)).rows(application_ids)
    return list(read(_in(application_ids)))


def _merge(into: dict, more: dict) -> None:
    for key, values in more.items():
        if isinstance(values, dict):
            cell = into.setdefault(key, dict.fromkeys(values, 0))
            for name, value in values.items():
                cell[name] = cell.get(name, 0) + (value or 0)
        else:
            into[key] = into.get(key, 0) + values


def _measure(applicant_ids: list[int]) -> tuple[dict, dict, dict]:
    cells: dict = {}
    decisions: dict = {}
    people: dict = {}
    for chunk in _chunks(applicant_ids):
        chunk_cells, chunk_decisions = report_cells(chunk)
        _merge(cells, chunk_cells)
        _merge(decisions, chunk_decisions)
        _merge(people, statistics_cells(chunk))
    return cells, decisions, people


def _difference(after: dict, before: dict) -> dict:
    out: dict[Any, Any] = {}
    for key in after.keys() | before.keys():
        new, old = after.get(key), before.get(key)
        either = new or old
        if isinstance(either, dict):
            names = either.keys()
            measures = {name: (new or {}).get(name, 0) - (old or {}).get(name, 0) for name in names}
            if any(measures.values()):
                out[key] = measures
        else:
            count = (new or 0) - (old or 0)
            if count:
                out[key] = count
    return out


def _upsert(table: str, key_columns: list[str], measures: list[str], rows: list[tuple]) -> None:
    """Add each row's measures to its cell, creating it if needed (one statement per cell, in key order)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [*key_columns, *measures, "updated_at"]
    placeholders = ", ".join(["%s"] * len(columns))
    sets = ", ".join(f"{quote(m)} = {quote(table)}.{quote(m)} + excluded.{quote(m)}" for m in measures)
    # Table and column names come from the models, values are parameters.
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) DO UPDATE SET {sets}, "
        f"{quote('updated_at')} = excluded.{quote('updated_at')}"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row, now) for row in sorted(rows, key=_sort_key)])


def _sort_key(row: tuple) -> tuple:
    return tuple(str(value) for value in row)


def rollup(cells: dict, decisions: dict) -> tuple[dict, dict, dict, dict]:
    """The cells (or their differences) summed over months and products: per department and per
    sector (totals and their histogram), and per (department, sector) pair (parts and theirs).

    Every row a cell touches is kept, even when the differences cancel (an application moving
    between products), so the sums' update time follows the cells'.
    """
    totals: dict[tuple, dict] = {}
    histogram: dict[tuple, int] = {}
    parts: dict[tuple, dict] = {}
    part_histogram: dict[tuple, int] = {}
    for key, values in cells.items():
        sums = [
            totals.setdefault((dimension, key[position]), dict.fromkeys(MEASURES, 0))
            for dimension, position in DIMENSIONS.items()
        ]
        sums.append(parts.setdefault((key[1], key[2]), dict.fromkeys(MEASURES, 0)))
        for total in sums:
            for name in MEASURES:
                total[name] += values.get(name, 0) or 0
    for key, n in decisions.items():
        for dimension, position in DIMENSIONS.items():
            days = (dimension, key[position], key[4])
            histogram[days] = histogram.get(days, 0) + n
        part = (key[1], key[2], key[4])
        part_histogram[part] = part_histogram.get(part, 0) + n
    return totals, histogram, parts, part_histogram


def apply(cells: dict, decisions: dict, people: dict) -> None:
    """Add figure differences to the summary tables (cells, then their totals, each in key order)."""
    if cells or decisions:
        transaction.on_commit(_bump_version)
    totals, histogram, parts, part_histogram = rollup(cells, decisions)
    _upsert(
        ReportCell._meta.db_table,
        list(KEY),
        MEASURES,
        [(*key, *(delta.get(m, 0) for m in MEASURES)) for key, delta in cells.items()],
    )
    _upsert(
        DecisionCell._meta.db_table,
        [*KEY, "days"],
        ["decided"],
        [(*key, delta) for key, delta in decisions.items()],
    )
    _upsert(
        StatisticsCell._meta.db_table,
        ["table", "code"],
        list(STAT_MEASURES),
        [(*key, *(delta.get(m, 0) for m in STAT_MEASURES)) for key, delta in people.items()],
    )
    _upsert(
        ReportTotal._meta.db_table,
        list(TOTAL_KEY),
        MEASURES,
        [(*key, *(delta.get(m, 0) for m in MEASURES)) for key, delta in totals.items()],
    )
    _upsert(
        DecisionTotal._meta.db_table,
        [*TOTAL_KEY, "days"],
        ["decided"],
        [(*key, n) for key, n in histogram.items()],
    )
    _upsert(
        ReportPart._meta.db_table,
        list(PART_KEY),
        MEASURES,
        [(*key, *(delta.get(m, 0) for m in MEASURES)) for key, delta in parts.items()],
    )
    _upsert(
        DecisionPart._meta.db_table,
        [*PART_KEY, "days"],
        ["decided"],
        [(*key, n) for key, n in part_histogram.items()],
    )


@contextmanager
def track(application_ids: list[int], applicant_ids: list[int]) -> Iterator[None]:
    """portal.changes tracker: count before the write, count after, add the difference."""
    applicants = set(applicant_ids)
    for chunk in _chunks(list(application_ids)):
        applicants.update(row["applicant_id"] for row in _applicants_of(chunk))
    people = sorted(applicants)
    before = _measure(people)
    yield
    after = _measure(people)
    apply(*(_difference(new, old) for new, old in zip(after, before, strict=True)))


def register() -> None:
    changes.register(track)


# --- the full rebuild ------------------------------------------------------------------------

SUMMARY_MODELS = (ReportCell, DecisionCell, StatisticsCell, ReportTotal, DecisionTotal, ReportPart, DecisionPart)


def _stored() -> tuple[dict, dict, dict, dict, dict, dict, dict]:
    cells = {
        tuple(row[k] for k in KEY): {m: row[m] for m in MEASURES} for row in ReportCell.objects.values(*KEY, *MEASURES)
    }
    decisions = {
        (*(row[k] for k in KEY), row["days"]): row["decided"]
        for row in DecisionCell.objects.values(*KEY, "days", "decided")
    }
    people = {
        (row["table"], row["code"]): {m: row[m] for m in STAT_MEASURES}
        for row in StatisticsCell.objects.values("table", "code", *STAT_MEASURES)
    }
    totals = {
        (row["dimension"], row["code"]): {m: row[m] for m in MEASURES}
        for row in ReportTotal.objects.values(*TOTAL_KEY, *MEASURES)
    }
    histogram = {
        (row["dimension"], row["code"], row["days"]): row["decided"]
        for row in DecisionTotal.objects.values(*TOTAL_KEY, "days", "decided")
    }
    parts = {
        (row["department"], row["sector"]): {m: row[m] for m in MEASURES}
        for row in ReportPart.objects.values(*PART_KEY, *MEASURES)
    }
    part_histogram = {
        (row["department"], row["sector"], row["days"]): row["decided"]
        for row in DecisionPart.objects.values(*PART_KEY, "days", "decided")
    }
    return cells, decisions, people, totals, histogram, parts, part_histogram


def rebuild(*, bulk_load: bool = False) -> SummaryCheck:
    """Recompute every cell from the source tables, record the drift, replace the cells.

    The cells are locked for the duration (PostgreSQL), so a write that arrives meanwhile
    waits and then adds its difference to the rebuilt figures.
    """
    check = SummaryCheck.objects.create()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in SUMMARY_MODELS)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        cells, decisions = report_cells(None)
        people = statistics_cells(None)
        totals, histogram, parts, part_histogram = rollup(cells, decisions)
        fresh: tuple[dict, ...] = (cells, decisions, people, totals, histogram, parts, part_histogram)
        drift = [_difference(new, old) for new, old in zip(fresh, _stored(), strict=True)]
        for model in SUMMARY_MODELS:
            model.objects.all().delete()
        now = timezone.now()
        ReportCell.objects.bulk_create(
            (
                ReportCell(**dict(zip(KEY, key, strict=True)), **values, updated_at=now)
                for key, values in cells.items()
            ),
            batch_size=2000,
        )
        DecisionCell.objects.bulk_create(
            (
                DecisionCell(**dict(zip(KEY, key[:4], strict=True)), days=key[4], decided=n, updated_at=now)
                for key, n in decisions.items()
            ),
            batch_size=2000,
        )
        StatisticsCell.objects.bulk_create(
            StatisticsCell(table=table, code=code, **values, updated_at=now)
            for (table, code), values in people.items()
        )
        ReportTotal.objects.bulk_create(
            ReportTotal(dimension=dimension, code=code, **values, updated_at=now)
            for (dimension, code), values in totals.items()
        )
        DecisionTotal.objects.bulk_create(
            (
                DecisionTotal(dimension=dimension, code=code, days=days, decided=n, updated_at=now)
                for (dimension, code, days), n in histogram.items()
            ),
            batch_size=2000,
        )
        ReportPart.objects.bulk_create(
            ReportPart(department=department, sector=sector, **values, updated_at=now)
            for (department, sector), values in parts.items()
        )
        DecisionPart.objects.bulk_create(
            (
                DecisionPart(department=department, sector=sector, days=days, decided=n, updated_at=now)
                for (department, sector, days), n in part_histogram.items()
            ),
            batch_size=2000,
        )
        check.cells = sum(len(part) for part in fresh)
        check.differences = sum(len(part) for part in drift)
        check.details = [
            {
                "summary": name,
                "key": [str(part) for part in (key if isinstance(key, tuple) else (key,))],
                "delta": delta,
            }
            for name, part in zip(
                (
                    "report",
                    "decisions",
                    "statistics",
                    "totals",
                    "decision totals",
                    "department-sector parts",
                    "department-sector decisions",
                ),
                drift,
                strict=True,
            )
            for key, delta in list(part.items())[:50]
        ]
        check.finished_at = timezone.now()
        check.save()
        transaction.on_commit(_bump_version)
    if check.differences and not bulk_load:  # rows loaded by COPY were never tracked: no news
        logger.error("Summary rebuild found %s cells that had drifted: %s", check.differences, check.details[:5])
    return check


def last_check() -> SummaryCheck | None:
    return SummaryCheck.objects.filter(finished_at__isnull=False).first()


# --- reading the cells -----------------------------------------------------------------------


def answers(filters: ReportFilters) -> bool:
    """Can the cells answer these filters? Whole months, department, sector and product only."""
    if any(
        (
            filters.municipality,
            filters.status,
            filters.return_type,
            filters.sex,
            filters.age_band,
        )
    ):
        return False
    if filters.date_from and filters.date_from.day != 1:
        return False
    # The end must be the last day of its month.
    return not (filters.date_to and (filters.date_to + timedelta(days=1)).day != 1)


def _cell_q(filters: ReportFilters) -> Q | None:
    q = Q()
    if filters.date_from:
        q &= Q(month__gte=filters.date_from)
    if filters.date_to:
        q &= Q(month__lte=filters.date_to.replace(day=1))
    if filters.department:
        q &= Q(department=filters.department)
    if filters.sector:
        q &= Q(sector=filters.sector)
    if filters.product:
        product = LoanProduct.objects.filter(code=filters.product).values_list("pk", flat=True).first()
        if product is None:
            return None
        q &= Q(product=product)
    return q


def _reads_parts(filters: ReportFilters) -> bool:
    """Department and/or sector with no dates or product: the parts hold the answer."""
    return not (filters.date_from or filters.date_to or filters.product)


def _medians(decisions, dimension: str | None) -> dict:
    """{group: (median days, decisions)} from the histogram, the middle rows picked in SQL.

    (PostgreSQL sums bigints into numerics: the casts keep the middle positions whole numbers.)

    Running sums over each group's histogram keep only the one or two rows holding the middle
    positions, so a few rows per group come back however many decisions were counted.
    """
    group = [dimension] if dimension else []
    grouped = decisions.order_by().values(*group, "days").annotate(n=Sum("decided")).order_by()
    sql, params = grouped.query.sql_with_params()
    partition = f"PARTITION BY {connection.ops.quote_name(dimension)}" if dimension else ""
    key = connection.ops.quote_name(dimension) if dimension else "NULL"
    window = f"OVER ({partition} ORDER BY days ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    query = f"""
        SELECT grp, days, total FROM (
            SELECT {key} AS grp, days, n, CAST(SUM(n) {window} AS BIGINT) AS running,
                CAST(SUM(n) OVER ({partition}) AS BIGINT) AS total
            FROM ({sql}) AS histogram WHERE n > 0
        ) AS ranked
        WHERE running - n < (total + 2) / 2 AND running >= (total + 1) / 2
    """  # noqa: S608 - the column name comes from this module, values are parameters
    middles: dict = defaultdict(list)
    totals: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for code, days, total in cursor.fetchall():
            middles[code or None].append(days)
            totals[code or None] = int(total)
    return {code: (round(sum(found) / len(found), 1), totals[code]) for code, found in middles.items()}


def report_from_cells(filters: ReportFilters) -> Report:
    """The report from the cells; without filters, from their totals (as many rows as departments and sectors)."""
    q = _cell_q(filters)
    report = Report(filters=filters, total=Row(), source="summary")
    if q is None:
        return report
    names = {
        "department": dict(Department.objects.values_list("code", "name")),
        "sector": dict(EconomicSection.objects.values_list("code", "name")),
    }
    sums = {name: Sum(name) for name in MEASURES}
    cells: QuerySet
    decisions: QuerySet
    # Department and/or sector alone: the (department, sector) parts, summed over months and products.
    by_part = bool(q) and _reads_parts(filters)
    for dimension in ("department", "sector"):
        if by_part:
            cells, column = ReportPart.objects.filter(q), dimension
            decisions = DecisionPart.objects.filter(q)
        elif q:
            cells, column = ReportCell.objects.filter(q), dimension
            decisions = DecisionCell.objects.filter(q)
        else:
            cells, column = ReportTotal.objects.filter(dimension=dimension), "code"
            decisions = DecisionTotal.objects.filter(dimension=dimension)
        rows = {}
        for values in cells.order_by().values(column).annotate(**sums).order_by():
            code = values[column] or None
            row = Row(code=code, name=names[dimension].get(code, "") if code else "")
            for name in MEASURES:
                setattr(row, name, values[name] or 0)
            if any(getattr(row, name) for name in MEASURES):
                rows[code] = row
        for code, (days, decided) in _medians(decisions, column).items():
            if code in rows:
                rows[code].median_days, rows[code].decided = days, decided
        setattr(
            report,
            f"by_{dimension}",
            sorted(rows.values(), key=lambda row: (row.code is None, -row.started, row.name)),
        )
    for name in MEASURES:
        setattr(report.total, name, sum(getattr(row, name) for row in report.by_department))
    # Without filters: the department totals' histogram summed by days, the whole programme's.
    if by_part:
        decisions, cells = DecisionPart.objects.filter(q), ReportPart.objects.filter(q)
    elif q:
        decisions, cells = DecisionCell.objects.filter(q), ReportCell.objects.filter(q)
    else:
        decisions, cells = DecisionTotal.objects.filter(dimension="department"), ReportTotal.objects.all()
    report.total.median_days, report.total.decided = _medians(decisions, None).get(None, (None, 0))
    updated = cells.aggregate(latest=Max("updated_at"))["latest"]
    report.computed_at = _iso(updated)
    return report


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def statistics_from_cells() -> dict:
    """The raw open-statistics tables, in the shape of ``statistics.compute()``, and when they last changed."""
    names = {
        "department": dict(Department.objects.values_list("code", "name")),
        "sector": dict(EconomicSection.objects.values_list("code", "name")),
    }
    tables: dict[str, list] = {table: [] for table in stats.TABLES}
    total = dict.fromkeys(STAT_MEASURES, 0)
    latest = None
    for cell in StatisticsCell.objects.order_by("table", "code"):
        latest = max(latest, cell.updated_at) if latest else cell.updated_at
        values = {m: getattr(cell, m) for m in STAT_MEASURES}
        if cell.table == "total":
            total = values
        elif cell.table in tables and (values["applicants"] or values["approved"] or values["disbursed"]):
            tables[cell.table].append(
                {"code": cell.code, "name": names.get(cell.table, {}).get(cell.code, ""), **values}
            )
    return {"tables": tables, "total": total, "updated_at": latest}


def public_statistics() -> dict:
    """The suppressed open statistics, from the cells every write keeps current (no full count on a visit)."""
    raw = statistics_from_cells()
    data = stats.suppress(raw)
    data["generated_at"] = _iso(raw["updated_at"])
    return data


# The live query for filters the cells cannot answer: one computation per filter set at a time.
LIVE_CACHE_SECONDS = 5 * 60
LIVE_WAIT_SECONDS = 30


VERSION_KEY = "reports:cells:version"


def _bump_version() -> None:
    """After a commit that changed cells: reports read from the old cells are no longer served."""
    try:
        if not cache.add(VERSION_KEY, 1, None):
            cache.incr(VERSION_KEY)
    except Exception:  # noqa: BLE001 - a cache that is down serves nothing stale either
        logger.warning("Report cache unavailable; could not mark the summaries changed.", exc_info=True)


def _version() -> int:
    try:
        return int(cache.get_or_set(VERSION_KEY, 1, None) or 0)
    except Exception:  # noqa: BLE001
        return 0


def report_for(filters: ReportFilters) -> Report:
    """The report: from the cells when they can answer, else live for these filters (single flight).

    Read from the cells, a report is cached under the summaries' version, which every commit
    that changes a cell moves on: never stale, and a crowd after a change computes it once.
    """
    if answers(filters):
        return _single_flight(f"reports:cells:{_version()}:{filters.fingerprint}", lambda: report_from_cells(filters))
    return _single_flight(
        f"reports:live:v2:{timezone.localdate().isoformat()}:{filters.fingerprint}",
        lambda: build_report(filters),
    )


def _single_flight(key: str, compute):
    """Cached value, or compute it once while other requests for the same key wait for it.

    Without the lock, an expired entry asked for by ten analysts at once is computed ten times.
    A cache that is down degrades to computing (each request its own).
    """
    try:
        found = cache.get(key)
        if found is not None:
            return found
        if not cache.add(f"{key}:lock", 1, LIVE_WAIT_SECONDS):
            deadline = time.monotonic() + LIVE_WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.1)
                found = cache.get(key)
                if found is not None:
                    return found
    except Exception:  # noqa: BLE001 - the cache is an optimisation; a broken one must not break the page
        logger.warning("Report cache unavailable; computing the report for this request.", exc_info=True)
        return compute()
    value = compute()
    try:
        cache.set(key, value, LIVE_CACHE_SECONDS)
        cache.delete(f"{key}:lock")
    except Exception:  # noqa: BLE001
        logger.warning("Report cache unavailable; the report was not cached.", exc_info=True)
    return value


# --- the intermediary dimension (issue 16) ---------------------------------------------------


@dataclass(frozen=True)
class LenderRow:
    name: str
    figures: LenderFigures


def lender_rows() -> list[LenderRow]:
    """Referred, accepted, disbursed and PAR30 per partner lender, for the whole programme.

    ``figures_by_intermediary`` aggregates every referral and open loan (three queries that grow
    with the programme), so a visitor never runs it: it is cached under the summaries' version,
    which every disbursement, repayment and the daily arrears run move on, and for at most
    LIVE_CACHE_SECONDS otherwise (a lender's accept, decline or study changes no cell).
    """
    return _single_flight(f"reports:lenders:{_version()}", _lender_rows)


def _lender_rows() -> list[LenderRow]:
    figures = figures_by_intermediary()
    lenders = Intermediary.objects.filter(Q(active=True) | Q(pk__in=list(figures))).order_by("name", "pk")
    return [LenderRow(lender.name, figures.get(lender.pk) or LenderFigures()) for lender in lenders.only("name")]
