"""The monthly report emailed to analysts (task ``loans.exports.monthly_report``, beat row in 0010)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.notify import notify
from loans.products.money import format_cop
from loans.reports.charts import number, percent, stage_labels
from loans.reports.exports import analysts
from loans.reports.figures import Report
from loans.reports.filters import ReportFilters
from loans.reports.summaries import report_for


def previous_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _body(report: Report, first: date, last: date) -> str:
    total = report.total
    labels = stage_labels()
    lines = [
        _("Applications started between %(first)s and %(last)s, and what became of them:")
        % {"first": first.isoformat(), "last": last.isoformat()},
        "",
    ]
    lines += [f"- {labels[stage]}: {number(count)}" for stage, count in total.funnel()]
    lines += [
        "",
        f"- {_('Requested')}: {format_cop(total.requested_amount)}",
        f"- {_('Approved')}: {format_cop(total.approved_amount)}",
        f"- {_('Disbursed')}: {format_cop(total.disbursed_amount)}",
        f"- {_('Outstanding principal')}: {format_cop(total.outstanding)}",
        f"- {_('Median days from submission to decision')}: {number(total.median_days, 1)}",
        f"- {_('Portfolio at risk over 30 days (PAR30)')}: {percent(total.par30)}",
        "",
        _("The link opens the full report, by department and by sector, with these filters."),
    ]
    return "\n".join(lines)


def monthly_report_send(*, today: date | None = None) -> int:
    """Send last month's figures to every analyst once (the notification key makes it once)."""
    today = today or timezone.localdate()
    first, last = previous_month(today)
    filters = ReportFilters(date_from=first, date_to=last)
    report = report_for(filters)
    link = f"{reverse('loans:reports')}?{urlencode(filters.as_dict())}"
    sent = 0
    for user in analysts():
        with translation.override(user.preferred_language):
            notify(
                user=user,
                key=f"monthly-report:{first:%Y-%m}:{user.pk}",
                kind="monthly_report",
                subject=_("Monthly report: %(month)s") % {"month": f"{first:%Y-%m}"},
                body=_body(report, first, last),
                link=link,
            )
        sent += 1
    return sent
