"""Analysts' reports and exports (staff with a second factor and loans.view_reports), and the
public open-statistics page. Thin views: the figures come from ``loans.reports`` and
``loans.stats``, the files from ``loans.exports``.
"""

from __future__ import annotations

import csv
import functools
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from applicants.choices import ReturnType, Sex
from applicants.models import Municipality
from loans import permissions
from loans.products.money import format_cop
from loans.reports import exports, summaries
from loans.reports import programmes as programme_figures
from loans.reports import statistics as stats
from loans.reports.charts import all_charts, chart_named, number, percent, stage_labels
from loans.reports.drawing import svg
from loans.reports.filters import AGE_BAND_CHOICES, parse_filters
from loans.reports.models import ExportJob
from loans.reports.tasks import build_export
from portal.db_router import replica_iter, replica_view
from portal.queue import enqueue
from portal.storage import download_response


def analyst_required(view):
    """Staff who passed the second factor and may see reports; others get a login, 404 or 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not user.is_staff:
            raise Http404
        if not user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not permissions.may_view_reports(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What to export"),
        choices=ExportJob.Kind.choices,
        error_messages={"invalid_choice": gettext_lazy("There is no export of “%(value)s”.")},
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        # XLSX first: a double-click opens it in Excel whatever the computer's list separator;
        # the CSV (RFC 4180, comma) is for scripts.
        choices=[(choice.value, choice.label) for choice in (ExportJob.Format.XLSX, ExportJob.Format.CSV)],
        initial=ExportJob.Format.XLSX,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("There is no format “%(value)s”; choose CSV or XLSX.")},
    )
    include_pii = forms.BooleanField(
        label=gettext_lazy("Include personal data (names, document numbers, phones, addresses, emails)"),
        required=False,
    )


def _report_context(request, form, filters, export_form=None) -> dict:
    context = {
        "form": form,
        "filters": filters,
        "query": urlencode(filters.as_dict()) if filters else "",
        "export_form": export_form or ExportForm(),
        "can_export": permissions.may_export(request.user),
        "can_see_pii": permissions.sees_pii(request.user),
        "stream_max_rows": number(exports.stream_max_rows()),
    }
    department = form.data.get("department") if form.is_bound else ""
    if department and form.is_valid():
        context["municipalities"] = Municipality.objects.filter(department_id=department).order_by("name")
    if filters is not None:
        report = summaries.report_for(filters)
        total = report.total
        labels = stage_labels()
        context.update(
            report=report,
            lenders=[
                (
                    row.name,
                    number(row.figures.referred),
                    number(row.figures.accepted),
                    number(row.figures.disbursed),
                    format_cop(row.figures.disbursed_amount),
                    percent(row.figures.par30),
                )
                for row in summaries.lender_rows()
            ],
            last_check=summaries.last_check() if report.source == "summary" else None,
            charts=all_charts(report),
            key_figures=[(labels[stage], number(count)) for stage, count in total.funnel()]
            + [
                (_("Median days from submission to decision"), number(total.median_days, 1)),
                (_("Portfolio at risk over 30 days (PAR30)"), percent(total.par30)),
            ],
        )
    return context


@never_cache
@require_GET
@analyst_required
@replica_view
def reports(request):
    filters, form = parse_filters(request.GET)
    status = 200 if filters is not None else 400
    return render(request, "loans/reports/index.html", _report_context(request, form, filters), status=status)


@require_GET
@analyst_required
@replica_view
def report_chart(request, name):
    filters, _form = parse_filters(request.GET)
    if filters is None:
        return HttpResponse(status=400)
    chart = chart_named(summaries.report_for(filters), name)
    if chart is None:
        raise Http404
    response = HttpResponse(svg(chart), content_type="image/svg+xml")
    # The chart is drawn with presentation attributes alone: it needs nothing, so it gets nothing.
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@replica_view
def report_export(request):
    """Stream a small export at once; queue a large one. Refusals are logged as well."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(reverse("loans:reports"), reverse("admin:login"))
    if user.is_staff and not user.is_verified():
        return redirect_to_login(reverse("loans:reports"), reverse("admin:login"))
    export_form = ExportForm(request.POST)
    filters, form = parse_filters(request.POST)
    if not export_form.is_valid() or filters is None:
        if not permissions.may_view_reports(user):
            raise Http404
        context = _report_context(request, form, filters, export_form)
        return render(request, "loans/reports/index.html", context, status=400)
    kind, fmt = export_form.cleaned_data["kind"], export_form.cleaned_data["format"]
    include_pii = export_form.cleaned_data["include_pii"]
    reason = exports.refusal_reason(user, include_pii=include_pii)
    if reason:
        exports.export_log(
            user=user,
            kind=kind,
            fmt=fmt,
            filters=filters.as_dict(),
            include_pii=include_pii,
            mode=ExportJob.Mode.STREAMED,
            status=ExportJob.Status.REFUSED,
            error=reason,
        )
        if not user.is_staff:
            raise Http404
        return render(
            request, "loans/reports/refused.html", {"pii": reason is exports.Refusal.NO_PII_PERMISSION}, status=403
        )

    rows = exports.count(kind, filters)
    if rows > exports.stream_max_rows():
        with transaction.atomic():
            job = exports.export_log(
                user=user,
                kind=kind,
                fmt=fmt,
                filters=filters.as_dict(),
                include_pii=include_pii,
                mode=ExportJob.Mode.BACKGROUND,
                status=ExportJob.Status.QUEUED,
                row_count=rows,
            )

            transaction.on_commit(lambda: enqueue(build_export, job.pk))
        messages.info(
            request,
            _(
                "This export has %(rows)s rows, so it is being prepared in the background. "
                "We will send you a message with the download link when it is ready."
            )
            % {"rows": number(rows)},
        )
        return redirect("loans:export_list")

    job = exports.export_log(
        user=user,
        kind=kind,
        fmt=fmt,
        filters=filters.as_dict(),
        include_pii=include_pii,
        mode=ExportJob.Mode.STREAMED,
        status=ExportJob.Status.RUNNING,
        row_count=rows,
    )
    name = exports.filename(kind, fmt)
    if fmt == ExportJob.Format.CSV and exports.uses_copy(include_pii=include_pii):
        handle, written = exports.csv_file(kind, filters, include_pii=include_pii)
        exports.export_finish(job, written)
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=exports.CONTENT_TYPES[fmt])
    elif fmt == ExportJob.Format.CSV:
        chunks = exports.csv_chunks(
            kind, filters, include_pii=include_pii, on_done=lambda sent: exports.export_finish(job, sent)
        )
        response = StreamingHttpResponse(replica_iter(chunks), content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        handle, written = exports.stream_xlsx_file(kind, filters, include_pii=include_pii)
        exports.export_finish(job, written)
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=exports.CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@analyst_required
def export_list(request):
    jobs = ExportJob.objects.filter(requested_by=request.user).order_by("-created_at", "-pk")[:50]
    now = timezone.now()
    return render(
        request,
        "loans/reports/export_list.html",
        {"jobs": [(job, exports.downloadable(job, now)) for job in jobs]},
    )


@analyst_required
def export_download(request, public_id):
    job = get_object_or_404(ExportJob, public_id=public_id, requested_by=request.user)
    if job.status != ExportJob.Status.READY:
        raise Http404
    if not exports.downloadable(job):
        return render(request, "loans/reports/expired.html", {"job": job}, status=410)
    if not default_storage.exists(job.file_path):
        return render(request, "loans/reports/expired.html", {"job": job}, status=410)
    return download_response(
        job.file_path,
        filename=exports.filename(job.kind, job.format, timezone.localdate(job.created_at)),
        content_type=exports.CONTENT_TYPES[job.format],
    )


# --- open statistics ---------------------------------------------------------------------


def _table_titles() -> dict[str, str]:
    return {
        "department": _("By department of the business"),
        "sector": _("By sector (CIIU section)"),
        "sex": _("By sex"),
        "return_type": _("By return type"),
        "age_band": _("By age"),
    }


def _group_label(table: str, row: dict) -> str:
    if not row["code"]:
        return _("Not stated")
    if table == "sex":
        return str(Sex(row["code"]).label) if row["code"] in Sex.values else row["code"]
    if table == "return_type":
        return str(ReturnType(row["code"]).label) if row["code"] in ReturnType.values else row["code"]
    if table == "age_band":
        return dict(AGE_BAND_CHOICES).get(row["code"], row["code"])
    if table == "sector":
        return f"{row['code']} · {row['name'].capitalize()}"
    return row["name"] or row["code"]


def _cell(value, money: bool = False) -> str:
    if isinstance(value, str):  # a hidden cell: "<5" or "*"
        return value
    if money:
        return format_cop(value)
    return number(value)


def _statistics_tables(data: dict) -> list[dict]:
    titles = _table_titles()
    tables = []
    for table in stats.TABLES:
        rows = [
            {
                "code": row["code"],
                "label": _group_label(table, row),
                "cells": [_cell(row[m]) for m in stats.COUNTS] + [_cell(row["amount_disbursed"], money=True)],
            }
            for row in data["tables"][table]
        ]
        tables.append({"name": table, "title": titles[table], "rows": rows})
    return tables


def _statistics_columns() -> list[str]:
    return [
        _("People who applied"),
        _("People approved"),
        _("People with a loan disbursed"),
        _("Amount disbursed"),
    ]


@require_GET
@replica_view
def statistics(request):
    data = summaries.public_statistics()
    total = data["total"]
    columns = _statistics_columns()
    totals = [_cell(total[m]) for m in stats.COUNTS] + [_cell(total["amount_disbursed"], money=True)]
    return render(
        request,
        "pages/statistics.html",
        {
            "tables": _statistics_tables(data),
            "columns": columns,
            "total": list(zip(columns, totals, strict=True)),
            "generated_at": data["generated_at"],
            "min_cell": stats.MIN_CELL,
            "programme_rows": programme_figures.programme_statistics(),
        },
    )


@analyst_required
def programme_funnel(request):
    """Enrolled → completed → applied → disbursed, people per programme and operator (issue 11)."""
    return render(request, "loans/reports/programmes.html", {"rows": programme_figures.programme_funnel()})


@require_GET
@replica_view
def statistics_csv(request, table):
    if table not in stats.TABLES:
        raise Http404
    data = summaries.public_statistics()
    # "CSV for Excel": Excel set to Spanish (Colombia) splits columns on ";" and reads UTF-8 only
    # after a byte-order mark; the plain file stays RFC 4180 (comma, no BOM) for scripts.
    for_excel = request.GET.get("para") == "excel"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "-excel" if for_excel else ""
    response["Content-Disposition"] = f'attachment; filename="estadisticas-{table}{suffix}.csv"'
    if for_excel:
        response.write("\ufeff")
    writer = csv.writer(response, delimiter=";" if for_excel else ",")
    writer.writerow([_("code"), _("group"), *_statistics_columns()])
    for row in data["tables"][table]:
        writer.writerow([row["code"], _group_label(table, row)] + [row[m] for m in stats.MEASURES])
    total = data["total"]
    writer.writerow(["", _("Total")] + [total[m] for m in stats.MEASURES])
    return response
