"""The report's charts and, beside each, the table of the numbers it draws."""

from __future__ import annotations

from babel.numbers import format_decimal
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from loans.products.money import format_cop
from loans.reports.drawing import Chart
from loans.reports.figures import Report, Row

DASH = "–"


def number(value: int | float | None, digits: int = 0) -> str:
    if value is None:
        return DASH
    locale = "es_CO" if (get_language() or "es").startswith("es") else "en_US"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale)


def percent(value: float | None) -> str:
    return DASH if value is None else f"{number(value, 1)} %"


def stage_labels() -> dict[str, str]:
    return {
        "started": _("Started (drafts and sent)"),
        "submitted": _("Submitted"),
        "eligible": _("Eligible"),
        "approved": _("Approved"),
        "disbursed": _("Disbursed"),
    }


def row_label(row: Row, dimension: str) -> str:
    if row.code is None:
        return _("No department yet (drafts)") if dimension == "department" else _("No sector yet (drafts)")
    if dimension == "sector":
        return f"{row.code} · {row.name.capitalize()}"
    return row.name


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _millions(value: int) -> float:
    return round(value / 1_000_000, 1)


def total_charts(report: Report) -> list[Chart]:
    total = report.total
    labels = stage_labels()
    funnel = total.funnel()
    started = total.started or 0
    amounts = [
        (_("Requested"), total.requested_amount),
        (_("Approved"), total.approved_amount),
        (_("Disbursed"), total.disbursed_amount),
        (_("Outstanding principal"), total.outstanding),
    ]
    jobs = [
        (_("Planned, all disbursed loans"), total.jobs_planned),
        (_("Planned, loans visited"), total.jobs_planned_visited),
        (_("Found at the latest visit"), total.jobs_found),
    ]
    return [
        Chart(
            name="funnel",
            title=_("From application to disbursement"),
            categories=[labels[stage] for stage, _count in funnel],
            series=[(_("Applications"), [count for _stage, count in funnel])],
            unit=_("applications"),
            columns=[_("Stage"), _("Applications"), _("Share of started")],
            rows=[
                [labels[stage], number(count), percent(round(100 * count / started, 1) if started else None)]
                for stage, count in funnel
            ],
        ),
        Chart(
            name="amounts",
            title=_("Amounts (millions of pesos)"),
            categories=[label for label, _value in amounts],
            series=[(_("Millions of pesos"), [_millions(value) for _label, value in amounts])],
            unit=_("millions of pesos"),
            columns=[_("Amount"), _("Pesos")],
            rows=[[label, format_cop(value)] for label, value in amounts],
        ),
        Chart(
            name="jobs",
            title=_("Jobs planned and found on follow-up visits"),
            categories=[label for label, _value in jobs],
            series=[(_("Jobs"), [value for _label, value in jobs])],
            unit=_("jobs"),
            columns=[_("Jobs"), _("Number")],
            rows=[[label, number(value)] for label, value in jobs]
            + [[_("Loans visited"), number(total.visited_loans)]],
        ),
    ]


def dimension_charts(report: Report, dimension: str) -> list[Chart]:
    rows = report.rows(dimension)
    heading = _("Department") if dimension == "department" else _("Sector")
    labels = [row_label(row, dimension) for row in rows]
    short = [_short(label) for label in labels]
    by = _("by department") if dimension == "department" else _("by sector")
    return [
        Chart(
            name=f"{dimension}-funnel",
            title=_("Applications %(by)s") % {"by": by},
            categories=short,
            series=[
                (_("Submitted"), [row.submitted for row in rows]),
                (_("Approved"), [row.approved for row in rows]),
                (_("Disbursed"), [row.disbursed for row in rows]),
            ],
            unit=_("applications"),
            columns=[heading, _("Started"), _("Submitted"), _("Eligible"), _("Approved"), _("Disbursed")],
            rows=[
                [label, number(r.started), number(r.submitted), number(r.eligible), number(r.approved)]
                + [number(r.disbursed)]
                for label, r in zip(labels, rows, strict=True)
            ],
        ),
        Chart(
            name=f"{dimension}-amounts",
            title=_("Amounts %(by)s (millions of pesos)") % {"by": by},
            categories=short,
            series=[
                (_("Requested"), [_millions(row.requested_amount) for row in rows]),
                (_("Approved"), [_millions(row.approved_amount) for row in rows]),
                (_("Disbursed"), [_millions(row.disbursed_amount) for row in rows]),
                (_("Outstanding principal"), [_millions(row.outstanding) for row in rows]),
            ],
            unit=_("millions of pesos"),
            columns=[heading, _("Requested"), _("Approved"), _("Disbursed"), _("Outstanding principal")],
            rows=[
                [label, format_cop(r.requested_amount), format_cop(r.approved_amount), format_cop(r.disbursed_amount)]
                + [format_cop(r.outstanding)]
                for label, r in zip(labels, rows, strict=True)
            ],
        ),
        Chart(
            name=f"{dimension}-jobs",
            title=_("Jobs planned and found on follow-up visits %(by)s") % {"by": by},
            categories=short,
            series=[
                (_("Planned, loans visited"), [row.jobs_planned_visited for row in rows]),
                (_("Found at the latest visit"), [row.jobs_found for row in rows]),
            ],
            unit=_("jobs"),
            columns=[heading, _("Loans visited"), _("Planned, loans visited"), _("Found at the latest visit")],
            rows=[
                [label, number(r.visited_loans), number(r.jobs_planned_visited), number(r.jobs_found)]
                for label, r in zip(labels, rows, strict=True)
            ],
        ),
        Chart(
            name=f"{dimension}-par30",
            title=_("Portfolio at risk over 30 days (PAR30) %(by)s") % {"by": by},
            categories=short,
            series=[(_("PAR30 (%)"), [row.par30 for row in rows])],
            unit=_("% of the outstanding principal"),
            columns=[heading, _("Outstanding principal"), _("Owed by loans over 30 days late"), _("PAR30")],
            rows=[
                [label, format_cop(r.outstanding), format_cop(r.at_risk), percent(r.par30)]
                for label, r in zip(labels, rows, strict=True)
            ],
        ),
        Chart(
            name=f"{dimension}-days",
            title=_("Median days from submission to decision %(by)s") % {"by": by},
            categories=short,
            series=[(_("Median days"), [row.median_days for row in rows])],
            unit=_("days"),
            columns=[heading, _("Decisions"), _("Median days")],
            rows=[[label, number(r.decided), number(r.median_days, 1)] for label, r in zip(labels, rows, strict=True)],
        ),
    ]


def all_charts(report: Report) -> list[Chart]:
    return total_charts(report) + dimension_charts(report, "department") + dimension_charts(report, "sector")


def chart_named(report: Report, name: str) -> Chart | None:
    return next((chart for chart in all_charts(report) if chart.name == name), None)
