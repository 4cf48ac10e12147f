"""Exports of applications, loans, instalments and repayments as CSV or XLSX (docs/REPORTS.md).

- Every attempt is an ``ExportJob`` row (the log): who, which filters, rows, format, when;
  refused attempts included.
- Up to ``STREAM_MAX_ROWS`` rows stream straight away in constant memory: CSV from a
  server-side cursor (``iterator(chunk_size=...)``) or PostgreSQL's COPY, XLSX as sheet XML
  streamed into a zip (``loans/reports/xlsx.py``) in a temporary file and sent from there.
- Larger exports are built by the ``loans.exports.build`` task into the default storage
  (``exports/``: MEDIA_ROOT or the bucket); the analyst is notified and downloads the file until it expires.
- Rows are read from the reporting replica when one is configured (portal/db_router.py).
- Document numbers, phones, addresses (and names and emails) are selected, hence decrypted,
  only when the export asks for personal data and the user has ``loans.view_pii``.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.db.models import Case, CharField, F, Func, Model, OuterRef, Subquery, Sum, Value, When
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Concat, ExtractYear
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.choices import ReturnType, Sex
from applicants.models import User
from applicants.notify import notify
from loans import permissions
from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus
from loans.eligibility.models import EligibilityResult
from loans.reports import xlsx
from loans.reports.figures import planned_jobs
from loans.reports.filters import ReportFilters, parse_filters
from loans.reports.models import ExportJob
from loans.servicing.models import Loan, LoanInstalment, Repayment
from portal.db_router import reads_alias, replica_reads
from portal.storage import save_exact

logger = logging.getLogger(__name__)

Kind = ExportJob.Kind
Format = ExportJob.Format

# Above this many rows an export is built by a worker instead of streamed (settings may lower it).
STREAM_MAX_ROWS = 50_000
CHUNK_SIZE = 2_000
# A CSV stream sends about this many characters at a time rather than one write per row.
CSV_FLUSH_CHARS = 64 * 1024
COPY_READ_BYTES = 1024 * 1024
DOWNLOAD_TTL = timedelta(hours=24)
EXPORTS_DIR = "exports"


class Refusal(StrEnum):
    """Why an export is refused; the value is what the log records (in English)."""

    NO_EXPORT_PERMISSION = "missing permission loans.export_reports"
    NO_PII_PERMISSION = "personal data asked for without permission loans.view_pii"


def stream_max_rows() -> int:
    return getattr(settings, "EXPORT_STREAM_MAX_ROWS", STREAM_MAX_ROWS)


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise
    source: object  # a field path or an expression
    pii: bool = False


def _pii_columns(prefix: str) -> list[Column]:
    profile = f"{prefix}applicant__profile__"
    return [
        Column("email", gettext_lazy("email"), f"{prefix}applicant__email", pii=True),
        Column("first_names", gettext_lazy("first names"), f"{profile}first_names", pii=True),
        Column("last_names", gettext_lazy("last names"), f"{profile}last_names", pii=True),
        Column("document_type", gettext_lazy("document type"), f"{profile}document_type", pii=True),
        Column("document_number", gettext_lazy("document number"), f"{profile}document_number", pii=True),
        Column("phone", gettext_lazy("phone"), f"{profile}phone", pii=True),
        Column("address", gettext_lazy("address"), f"{profile}address", pii=True),
    ]


def _label(path: str, choices) -> Case:
    """A code's label in the reader's language, computed by the database (COPY included)."""
    return Case(
        *(When(**{path: value}, then=Value(str(label))) for value, label in choices),
        default=F(path),
        output_field=CharField(),
    )


def _coded(key: str, header, code_header, path: str, choices) -> list[Column]:
    """A coded value as two columns: its label for people, its code (stable) for scripts."""
    return [Column(f"{key}_label", header, _label(path, choices)), Column(key, code_header, path)]


def _outstanding_principal():
    owed = (
        LoanInstalment.objects.filter(loan=OuterRef("pk"))
        .order_by()
        .values("loan")
        .annotate(owed=Sum(F("principal") - F("paid_principal")))
        .values("owed")
    )
    return Coalesce(Subquery(owed), 0)


@dataclass(frozen=True)
class ExportKind:
    model: type[Model]
    # Where the application is, seen from this model ('' for applications).
    prefix: str
    # The column the date range selects on, and whether it holds datetimes.
    date_field: str
    date_is_datetime: bool
    columns: list[Column]


def _kinds() -> dict[str, ExportKind]:
    a = "application__"
    la = "loan__application__"
    return {
        Kind.APPLICATIONS: ExportKind(
            LoanApplication,
            "",
            "created_at",
            True,
            [
                Column("reference", gettext_lazy("reference"), "reference"),
                *_coded(
                    "status", gettext_lazy("status"), gettext_lazy("status code"), "status", ApplicationStatus.choices
                ),
                Column("created_at", gettext_lazy("started at"), "created_at"),
                Column("submitted_at", gettext_lazy("submitted at"), "submitted_at"),
                Column("decided_at", gettext_lazy("decided at"), "decided_at"),
                Column("product", gettext_lazy("product"), "product__code"),
                Column("amount", gettext_lazy("amount requested (COP)"), "amount"),
                Column("term_months", gettext_lazy("term (months)"), "term_months"),
                Column("grace_months", gettext_lazy("grace (months)"), "grace_months"),
                Column("recommended_amount", gettext_lazy("recommended amount (COP)"), "recommended_amount"),
                Column("department", gettext_lazy("department code"), "business_department_id"),
                Column("department_name", gettext_lazy("department"), "business_department__name"),
                Column(
                    "municipality", gettext_lazy("municipality code"), KeyTextTransform("municipality", "frozen_plan")
                ),
                Column("sector", gettext_lazy("sector (CIIU section)"), "business_section_id"),
                *_coded(
                    "eligibility_outcome",
                    gettext_lazy("eligibility outcome"),
                    gettext_lazy("eligibility outcome code"),
                    "eligibility_outcome",
                    EligibilityResult.Outcome.choices,
                ),
                Column("jobs_planned", gettext_lazy("jobs planned"), planned_jobs()),
                *_coded(
                    "return_type",
                    gettext_lazy("return type"),
                    gettext_lazy("return type code"),
                    "applicant__profile__return_type",
                    ReturnType.choices,
                ),
                *_coded("sex", gettext_lazy("sex"), gettext_lazy("sex code"), "applicant__profile__sex", Sex.choices),
                Column("birth_year", gettext_lazy("birth year"), ExtractYear("applicant__profile__birth_date")),
                *_pii_columns(""),
            ],
        ),
        Kind.LOANS: ExportKind(
            Loan,
            a,
            "disbursed_on",
            False,
            [
                Column("reference", gettext_lazy("reference"), f"{a}reference"),
                Column("disbursed_on", gettext_lazy("disbursed on"), "disbursed_on"),
                Column("principal", gettext_lazy("amount disbursed (COP)"), "principal"),
                Column("annual_rate_pct", gettext_lazy("interest rate (% E.A.)"), "annual_rate_pct"),
                Column("term_months", gettext_lazy("term (months)"), "term_months"),
                Column("grace_months", gettext_lazy("grace (months)"), "grace_months"),
                *_coded("state", gettext_lazy("state"), gettext_lazy("state code"), "state", Loan.State.choices),
                Column("days_in_arrears", gettext_lazy("days in arrears"), "days_in_arrears"),
                Column("outstanding", gettext_lazy("outstanding principal (COP)"), _outstanding_principal()),
                Column("rebate_amount", gettext_lazy("on-time rebate (COP)"), "rebate_amount"),
                Column("product", gettext_lazy("product"), f"{a}product__code"),
                Column("department", gettext_lazy("department code"), f"{a}business_department_id"),
                Column("sector", gettext_lazy("sector (CIIU section)"), f"{a}business_section_id"),
                *_pii_columns(a),
            ],
        ),
        Kind.INSTALMENTS: ExportKind(
            LoanInstalment,
            la,
            "due_date",
            False,
            [
                Column("reference", gettext_lazy("reference"), f"{la}reference"),
                Column("number", gettext_lazy("number"), "number"),
                Column("due_date", gettext_lazy("due date"), "due_date"),
                Column("interest", gettext_lazy("interest"), "interest"),
                Column("principal", gettext_lazy("principal"), "principal"),
                Column("payment", gettext_lazy("instalment"), "payment"),
                Column("state_paid", gettext_lazy("paid by the state"), "state_paid"),
                Column("paid_interest", gettext_lazy("interest paid"), "paid_interest"),
                Column("paid_principal", gettext_lazy("principal paid"), "paid_principal"),
                Column("paid_on", gettext_lazy("fully paid on"), "paid_on"),
            ],
        ),
        Kind.REPAYMENTS: ExportKind(
            Repayment,
            la,
            "paid_on",
            False,
            [
                Column("reference", gettext_lazy("reference"), f"{la}reference"),
                Column("paid_on", gettext_lazy("paid on"), "paid_on"),
                Column("amount", gettext_lazy("amount (COP)"), "amount"),
                Column("bank_reference", gettext_lazy("bank reference"), "bank_reference"),
                *_coded(
                    "source", gettext_lazy("source"), gettext_lazy("source code"), "source", Repayment.Source.choices
                ),
                Column("allocated_interest", gettext_lazy("to interest"), "allocated_interest"),
                Column("allocated_principal", gettext_lazy("to principal"), "allocated_principal"),
                Column("unallocated", gettext_lazy("overpayment"), "unallocated"),
            ],
        ),
    }


def kind_spec(kind: str) -> ExportKind:
    try:
        return _kinds()[kind]
    except KeyError:
        raise ValueError(f"Unknown export kind {kind!r}") from None


def columns(kind: str, *, include_pii: bool) -> list[Column]:
    return [column for column in kind_spec(kind).columns if include_pii or not column.pii]


def queryset(kind: str, filters: ReportFilters, *, today: date | None = None):
    """The rows an export holds, in a stable order (the primary key)."""
    spec = kind_spec(kind)
    return spec.model._default_manager.filter(
        filters.application_q(spec.prefix, today=today),
        filters.date_q(spec.date_field, is_datetime=spec.date_is_datetime),
    ).order_by("pk")


def values(kind: str, filters: ReportFilters, *, include_pii: bool, today: date | None = None):
    """The export's rows as tuples, one column per ``columns()``; nothing personal unless asked for."""
    chosen = columns(kind, include_pii=include_pii)
    expressions = {f"x_{c.key}": c.source for c in chosen if not isinstance(c.source, str)}
    names = [c.source if isinstance(c.source, str) else f"x_{c.key}" for c in chosen]
    return queryset(kind, filters, today=today).annotate(**expressions).values_list(*names)


def count(kind: str, filters: ReportFilters) -> int:
    return queryset(kind, filters).count()


# --- cells ---------------------------------------------------------------------------------

# Text a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe; a
# sign followed by digits (a phone number like +573001234567) is left alone.
FORMULA = re.compile(r"[=@\t\r]|[+-](?![0-9 ]*[0-9][0-9 ]*\Z)")
FORMULA_SQL = r"^([=@\t\r]|[+-]([ ]*$|.*[^0-9 ]))"


def _csv_text(value: str) -> str:
    return "'" + value if FORMULA.match(value) else value


def csv_cell(value) -> str | int:
    """One value as the CSV holds it (the Python path; PostgreSQL's COPY path renders the same text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _csv_text(value)
    return value


def headers(kind: str, *, include_pii: bool) -> list[str]:
    return [str(column.header) for column in columns(kind, include_pii=include_pii)]


def _header_bytes(kind: str, *, include_pii: bool) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so spreadsheets read UTF-8
    csv.writer(buffer, lineterminator="\n").writerow(headers(kind, include_pii=include_pii))
    return buffer.getvalue().encode()


def csv_chunks(kind: str, filters: ReportFilters, *, include_pii: bool, on_done=None) -> Iterator[bytes]:
    """The CSV in pieces of about 64 KB from a server-side cursor; ``on_done(rows)`` at the end."""
    yield _header_bytes(kind, include_pii=include_pii)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = 0
    convert = csv_cell
    for row in values(kind, filters, include_pii=include_pii).iterator(chunk_size=CHUNK_SIZE):
        writer.writerow([convert(value) for value in row])
        rows += 1
        if buffer.tell() > CSV_FLUSH_CHARS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
    if on_done is not None:
        on_done(rows)


# PostgreSQL writes CSV about five times faster than rows fetched into Python and written by
# the csv module (docs/BENCHMARKS.md, "Exports"), so without personal data (which only Python
# can decrypt) it renders the export itself: the same SELECT, each column turned into the text
# csv_cell() gives, through COPY ... TO STDOUT.


def uses_copy(*, include_pii: bool) -> bool:
    return connection.vendor == "postgresql" and not include_pii


class _LocalDateTimeText(Func):
    template = "to_char(timezone(%(expressions)s), 'YYYY-MM-DD HH24:MI:SS')"
    output_field = CharField()


def copy_select(kind: str, filters: ReportFilters) -> str:
    """The export's SELECT (no personal data) with every column rendered as its CSV text."""
    chosen = columns(kind, include_pii=False)
    queryset_ = _annotated(queryset(kind, filters), chosen)
    texts: dict[str, Combinable] = {}
    for c in chosen:
        raw = f"x_{c.key}"
        field = queryset_.query.annotations[raw].output_field
        internal = field.get_internal_type()
        if internal == "BooleanField":
            texts[f"t_{c.key}"] = Case(
                When(**{raw: True}, then=Value(1)), When(**{raw: False}, then=Value(0)), default=None
            )
        elif internal in ("CharField", "TextField", "SlugField"):
            texts[f"t_{c.key}"] = Case(
                When(**{f"{raw}__regex": FORMULA_SQL}, then=Concat(Value("'"), raw, output_field=CharField())),
                default=F(raw),
                output_field=CharField(),
            )
        elif internal == "DateTimeField":
            texts[f"t_{c.key}"] = _LocalDateTimeText(Value(settings.TIME_ZONE), F(raw))
        else:
            texts[f"t_{c.key}"] = F(raw)
    sql, params = queryset_.annotate(**texts).values_list(*texts).query.sql_with_params()
    with connections[reads_alias()].cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def copy_csv(out, kind: str, filters: ReportFilters) -> int:
    """Write the export (headers, then COPY's rows) to a binary file; returns the rows written."""
    out.write(_header_bytes(kind, include_pii=False))
    with connections[reads_alias()].cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY ({copy_select(kind, filters)}) TO STDOUT WITH (FORMAT csv)", out, size=COPY_READ_BYTES
        )
        return cursor.cursor.rowcount


def csv_file(kind: str, filters: ReportFilters, *, include_pii: bool):
    """(open binary file, rows) on PostgreSQL without personal data: a temporary file COPY wrote.

    The file is anonymous (deleted when closed), so nothing stays behind.
    """
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse)
    try:
        rows = copy_csv(out, kind, filters)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, rows


def write_csv(path: Path, kind: str, filters: ReportFilters, *, include_pii: bool) -> int:
    with open(path, "wb") as out:
        if uses_copy(include_pii=include_pii):
            return copy_csv(out, kind, filters)
        written: list[int] = []
        for chunk in csv_chunks(kind, filters, include_pii=include_pii, on_done=written.append):
            out.write(chunk)
    return written[0]


def xlsx_copy_select(kind: str, filters: ReportFilters) -> str:
    """The export's SELECT (no personal data) with each row rendered by PostgreSQL as a sheet ``<row>``."""
    chosen = columns(kind, include_pii=False)
    queryset_ = _annotated(queryset(kind, filters), chosen)
    names = [f"x_{c.key}" for c in chosen]
    types = [queryset_.query.annotations[name].output_field.get_internal_type() for name in names]
    sql, params = queryset_.values_list(*names).query.sql_with_params()
    quote = connection.ops.quote_name
    cells = " || ".join(
        xlsx.sql_cell(f"e.{quote(name)}", internal, settings.TIME_ZONE)
        for name, internal in zip(names, types, strict=True)
    )
    with connections[reads_alias()].cursor() as cursor:
        inner = cursor.mogrify(sql, params).decode()
    return f"SELECT '<row>' || {cells} || '</row>' FROM ({inner}) AS e"  # noqa: S608 - names from the models


def write_xlsx(path: Path, kind: str, filters: ReportFilters, *, include_pii: bool) -> int:
    """Stream the sheet XML into the zip (loans/reports/xlsx.py): rendered by PostgreSQL and sent by
    COPY without personal data, else rendered in Python row by row. Memory stays flat either way."""
    workbook = xlsx.Workbook(path, kind, headers(kind, include_pii=include_pii))
    try:
        if uses_copy(include_pii=include_pii):
            with connections[reads_alias()].cursor() as cursor:
                cursor.cursor.copy_expert(
                    f"COPY ({xlsx_copy_select(kind, filters)}) TO STDOUT", workbook, size=COPY_READ_BYTES
                )
        else:
            rows = values(kind, filters, include_pii=include_pii).iterator(chunk_size=CHUNK_SIZE)
            for data in xlsx.python_rows(rows, column_types(kind, include_pii=include_pii)):
                workbook.write(data)
    finally:
        workbook.close()
    return workbook.rows


def column_types(kind: str, *, include_pii: bool) -> list[str]:
    """The internal type of each export column (``DateTimeField``, ``CharField`` ...), in order."""
    chosen = columns(kind, include_pii=include_pii)
    query = _annotated(queryset(kind, ReportFilters()), chosen).query
    return [query.annotations[f"x_{c.key}"].output_field.get_internal_type() for c in chosen]


def _annotated(rows, chosen: list[Column]):
    """Every column as an annotation ``x_<key>`` (its output field then known)."""
    return rows.annotate(**{f"x_{c.key}": F(c.source) if isinstance(c.source, str) else c.source for c in chosen})


WRITERS = {Format.CSV: write_csv, Format.XLSX: write_xlsx}
CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(kind: str, fmt: str, day: date | None = None) -> str:
    return f"retorno-{kind}-{(day or timezone.localdate()).isoformat()}.{fmt}"


# --- the log and the jobs ----------------------------------------------------------------


def refusal_reason(user: User, *, include_pii: bool) -> Refusal | None:
    """None when the user may run this export, else why not."""
    if not permissions.may_export(user):
        return Refusal.NO_EXPORT_PERMISSION
    if include_pii and not permissions.sees_pii(user):
        return Refusal.NO_PII_PERMISSION
    return None


def export_log(
    *,
    user: User | None,
    kind: str,
    fmt: str,
    filters: dict,
    include_pii: bool,
    mode: str,
    status: str,
    row_count: int | None = None,
    error: str = "",
) -> ExportJob:
    return ExportJob.objects.create(
        requested_by=user,
        kind=kind,
        format=fmt,
        mode=mode,
        filters=filters,
        include_pii=include_pii,
        status=status,
        row_count=row_count,
        error=error,
    )


def export_finish(job: ExportJob, rows: int) -> None:
    """Record the rows actually sent once a stream ends."""
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.READY, row_count=rows, finished_at=timezone.now()
    )


def stream_xlsx_file(kind: str, filters: ReportFilters, *, include_pii: bool) -> tuple[io.BufferedReader, int]:
    """Write the workbook to a temporary file and return it open, already unlinked, with its rows.

    Unlinked at once: the open handle keeps the data until the response is closed, and no file
    is left behind should the process die.
    """
    directory = tempfile.mkdtemp(prefix="export-")
    path = Path(directory) / "export.xlsx"
    try:
        rows = write_xlsx(path, kind, filters, include_pii=include_pii)
        handle = open(path, "rb")  # noqa: SIM115 (closed by the FileResponse)
    finally:
        if path.exists():
            path.unlink()
        os.rmdir(directory)
    return handle, rows


def export_name(job: ExportJob) -> str:
    """Where the job's file is kept in the default storage."""
    return f"{EXPORTS_DIR}/{job.public_id}.{job.format}"


def export_build(job_id: int) -> ExportJob | None:
    """Build a background export's file (safe to run twice: a finished job is left alone).

    Written to a local temporary file, then stored (on disk or in the bucket) once complete;
    the job points to it only after that, so a reader never sees half a file. On any error
    nothing is kept and the error goes up.
    """
    with transaction.atomic():
        # Lock the row: a redelivered copy of the task waits, then finds the job finished.
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
            return None
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    name = export_name(job)
    with tempfile.TemporaryDirectory(prefix="export-") as directory:
        partial = Path(directory) / Path(name).name
        with translation.override(_language_of(job.requested_by)):
            filters, form = parse_filters(job.filters)
            if filters is None:
                raise ValueError("; ".join(form.error_messages_list()))
            with replica_reads():
                rows = WRITERS[ExportJob.Format(job.format)](partial, job.kind, filters, include_pii=job.include_pii)
        with open(partial, "rb") as built:
            save_exact(name, File(built, name=Path(name).name))
    now = timezone.now()
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.READY,
            row_count=rows,
            file_path=name,
            finished_at=now,
            expires_at=now + DOWNLOAD_TTL,
            error="",
        )
        job.refresh_from_db()
        if job.requested_by is not None:
            _notify_ready(job)
    return job


def export_fail(job_id: int, error: BaseException | str) -> None:
    """Mark the job failed, remove any file it left and tell the analyst."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return
    default_storage.delete(export_name(job))
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message[:2000], file_path="", finished_at=timezone.now()
        )
        if job.requested_by is not None:
            with translation.override(_language_of(job.requested_by)):
                notify(
                    user=job.requested_by,
                    key=f"export-failed:{job.public_id}",
                    kind="export_failed",
                    subject=_("Your export could not be built"),
                    body=_(
                        "The export of %(kind)s (%(format)s) you asked for failed and no file was kept. "
                        "Try again, or with narrower filters; if it fails again, tell the support team."
                    )
                    % {"kind": job.get_kind_display(), "format": job.format.upper()},
                    link=reverse("loans:export_list"),
                )


def _notify_ready(job: ExportJob) -> None:
    user = job.requested_by
    if user is None:  # the analyst's account was deleted meanwhile
        return
    with translation.override(_language_of(user)):
        notify(
            user=user,
            key=f"export-ready:{job.public_id}",
            kind="export_ready",
            subject=_("Your export is ready"),
            body=_(
                "The export of %(kind)s (%(format)s, %(rows)s rows) is ready. "
                "The download link works for 24 hours, for you only."
            )
            % {"kind": job.get_kind_display(), "format": job.format.upper(), "rows": job.row_count},
            link=reverse("loans:export_download", args=[job.public_id]),
        )


def _language_of(user: User | None) -> str:
    return getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE


def purge_expired(now: datetime | None = None) -> int:
    """Delete the files of expired downloads; the log rows stay."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file_path="").iterator():
        default_storage.delete(job.file_path)
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
        purged += 1
    return purged


def downloadable(job: ExportJob, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(job.status == ExportJob.Status.READY and job.file_path and job.expires_at and job.expires_at > now)


def analysts() -> Iterable[User]:
    """Active staff given the reports permission (through a group or directly)."""
    holders = permissions.holders(permissions.VIEW_REPORTS)
    return User.objects.filter(holders, is_active=True, is_staff=True).distinct().order_by("pk")
