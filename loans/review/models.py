"""Officer review: scoring rubric, scores, notes, messages to the applicant."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loans.applications.models import LoanApplication

# --- officer review (issue 5) ------------------------------------------------------------


class ScoringCriterion(models.Model):
    """A criterion of the scoring rubric; staff set the criteria and their weights."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what to look at"), max_length=2000, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"


class ApplicationScore(models.Model):
    """One officer's score (0–5) of one criterion for one application."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (0–5)"), validators=[MaxValueValidator(5)])
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="score_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ReviewNote(models.Model):
    """An internal note on an application; the applicant never sees it."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.body[:60]
