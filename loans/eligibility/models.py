"""Eligibility results and re-check runs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loans.products.models import LoanProduct


class EligibilityResult(models.Model):
    """One run of the eligibility engine: the ruleset version and every rule's verdict."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        REVIEW = "review", _("Eligible, with points for the officer to review")
        INELIGIBLE = "ineligible", _("Not eligible")

    application = models.ForeignKey(
        "loans.LoanApplication",
        on_delete=models.CASCADE,
        related_name="eligibility_results",
        verbose_name=_("application"),
    )
    ruleset_version = models.CharField(_("ruleset version"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    verdicts = models.JSONField(_("verdicts"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        verbose_name = _("eligibility result")
        verbose_name_plural = _("eligibility results")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_outcome_display()} ({self.ruleset_version})"


class RecheckRun(models.Model):
    """Staff re-ran the eligibility engine over applications in review (a product's or all)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    product = models.ForeignKey(
        LoanProduct,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recheck_runs",
        verbose_name=_("product"),
        help_text=_("Empty means every product."),
    )
    ruleset_version = models.CharField(_("ruleset version"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("applications"), default=0)
    done = models.PositiveIntegerField(_("checked"), default=0)
    changed = models.PositiveIntegerField(_("outcome changed"), default=0)
    now_failing = models.PositiveIntegerField(_("now failing (flagged for the officer)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("eligibility re-check")
        verbose_name_plural = _("eligibility re-checks")

    def __str__(self) -> str:
        return f"{self.product or _('All products')} · {self.ruleset_version} · {self.done}/{self.total}"


class RecheckItem(models.Model):
    """One application re-checked in a run; unique per run so a redelivered chunk adds nothing twice.

    A re-check never moves the application: when the new result fails, ``flagged`` marks it
    for the officer, who decides (docs/DOMAIN.md, "Application workflow").
    """

    run = models.ForeignKey(RecheckRun, on_delete=models.CASCADE, related_name="items", verbose_name=_("re-check"))
    application = models.ForeignKey(
        "loans.LoanApplication", on_delete=models.CASCADE, related_name="recheck_items", verbose_name=_("application")
    )
    result = models.ForeignKey(
        EligibilityResult, on_delete=models.CASCADE, related_name="+", verbose_name=_("new result")
    )
    previous_outcome = models.CharField(
        _("previous outcome"), max_length=12, choices=EligibilityResult.Outcome.choices, blank=True
    )
    outcome = models.CharField(_("new outcome"), max_length=12, choices=EligibilityResult.Outcome.choices)
    flagged = models.BooleanField(_("flagged for the officer"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("re-checked application")
        verbose_name_plural = _("re-checked applications")
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="recheck_item_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.previous_outcome or '∅'} → {self.outcome}"
