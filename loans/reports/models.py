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
