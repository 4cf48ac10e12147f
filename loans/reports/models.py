"""Export jobs."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- reports and exports (issue 6) ------------------------------------------------------


class ExportJob(models.Model):
    """One export asked for by a person or a script: the log row and, for large ones, the job.

    Every attempt is recorded, refused ones included: who, which filters, how many rows,
    which format, when. Large exports are built by a worker into ``file_path`` (under
    the default storage, exports/: MEDIA_ROOT or the bucket) and can be downloaded by their owner until ``expires_at``.
    """

    class Kind(models.TextChoices):
        APPLICATIONS = "applications", _("Applications")
        LOANS = "loans", _("Loans")
        INSTALMENTS = "instalments", _("Instalments")
        REPAYMENTS = "repayments", _("Repayments")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Mode(models.TextChoices):
        STREAMED = "streamed", _("Streamed straight away")
        BACKGROUND = "background", _("Built in the background")
        COMMAND = "command", _("Management command")

    class Status(models.TextChoices):
        REFUSED = "refused", _("Refused")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    include_pii = models.BooleanField(_("with personal data"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_requested_by_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.format} · {self.get_status_display()}"


# --- summaries kept current by every write (issue 13) ------------------------------------


class ReportFigures(models.Model):
    """The report's additive figures, summed at one grain (a cell, a (department, sector) part,
    a department or sector total); ``loans.reports.summaries.MEASURES`` names them."""

    started = models.BigIntegerField(default=0)
    submitted = models.BigIntegerField(default=0)
    eligible = models.BigIntegerField(default=0)
    approved = models.BigIntegerField(default=0)
    disbursed = models.BigIntegerField(default=0)
    requested_amount = models.BigIntegerField(default=0)
    approved_amount = models.BigIntegerField(default=0)
    disbursed_amount = models.BigIntegerField(default=0)
    jobs_planned = models.BigIntegerField(default=0)
    outstanding = models.BigIntegerField(default=0)
    at_risk = models.BigIntegerField(default=0)
    visited_loans = models.BigIntegerField(default=0)
    jobs_found = models.BigIntegerField(default=0)
    jobs_planned_visited = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class DecisionCount(models.Model):
    """How many decisions took ``days`` whole days (rounded): one bar of a median's histogram."""

    days = models.IntegerField()
    decided = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class ReportCell(ReportFigures):
    """The report's additive figures for the applications started in one month, in one
    department and sector, for one product. Empty codes and product 0 stand for "none yet"
    (drafts), so the unique key has no NULLs. Kept current by ``loans.reports.summaries``."""

    month = models.DateField()
    department = models.CharField(max_length=2, blank=True)
    sector = models.CharField(max_length=1, blank=True)
    product = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "department", "sector", "product"], name="report_cell_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department or '-'} {self.sector or '-'} {self.product}"


class DecisionCell(DecisionCount):
    """How many decisions took ``days`` whole days (rounded), per report cell: the median's histogram."""

    month = models.DateField()
    department = models.CharField(max_length=2, blank=True)
    sector = models.CharField(max_length=1, blank=True)
    product = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department", "sector", "product", "days"], name="decision_cell_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department or '-'} {self.sector or '-'} {self.product} {self.days}"


class ReportTotal(ReportFigures):
    """The report cells summed over months and products, per department or per sector: what the
    unfiltered report shows, in as many rows as there are departments and sectors however large
    the programme grows. ``dimension`` is "department" or "sector"; an empty code is "none yet"
    (drafts). The programme's total is the sum of the department rows (no single hot row)."""

    dimension = models.CharField(max_length=10)
    code = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="report_total_key")]

    def __str__(self) -> str:
        return f"{self.dimension} {self.code or '-'}"


class DecisionTotal(DecisionCount):
    """The median's histogram summed over months and products, per department or per sector:
    how many decisions took ``days`` whole days. Exact, like ``DecisionCell``."""

    dimension = models.CharField(max_length=10)
    code = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "code", "days"], name="decision_total_key")]

    def __str__(self) -> str:
        return f"{self.dimension} {self.code or '-'} {self.days}"


class ReportPart(ReportFigures):
    """The report cells summed over months and products, per (department, sector): what a report
    filtered by department and/or sector alone reads, in as many rows as there are pairs however
    large the programme grows. Empty codes are "none yet" (drafts)."""

    department = models.CharField(max_length=2, blank=True)
    sector = models.CharField(max_length=1, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "sector"], name="report_part_key")]

    def __str__(self) -> str:
        return f"{self.department or '-'} {self.sector or '-'}"


class DecisionPart(DecisionCount):
    """The median's histogram summed over months and products, per (department, sector). Exact."""

    department = models.CharField(max_length=2, blank=True)
    sector = models.CharField(max_length=1, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "sector", "days"], name="decision_part_key")]

    def __str__(self) -> str:
        return f"{self.department or '-'} {self.sector or '-'} {self.days}"


class StatisticsCell(models.Model):
    """People (distinct applicants) in one row of one open-statistics table; table "total" is the whole program."""

    table = models.CharField(max_length=12)
    code = models.CharField(max_length=12, blank=True)
    applicants = models.BigIntegerField(default=0)
    approved = models.BigIntegerField(default=0)
    disbursed = models.BigIntegerField(default=0)
    amount_disbursed = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="statistics_cell_key")]

    def __str__(self) -> str:
        return f"{self.table} {self.code}"


class SummaryCheck(models.Model):
    """One full rebuild of the summaries, and how far the incremental figures had drifted from it."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    cells = models.PositiveIntegerField(default=0)
    differences = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.differences}"
