"""Entrepreneurship programmes, their cohorts, enrolments, mentors and plan comments.

DOMAIN.md, "Entrepreneurship programmes": staff set programmes (operator, modality,
departments, cohorts with dates and places); a returnee enrols or joins a waiting list; the
operator's staff record attendance and completion; a mentor follows the business plan.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applicants.models import Department


class Modality(models.TextChoices):
    VIRTUAL = "virtual", _("Virtual")
    IN_PERSON = "in_person", _("In person")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITING = "waiting", _("On the waiting list")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def holding_a_place(cls) -> tuple[str, ...]:
        """Enrolments that use one of the cohort's places."""
        return (cls.ENROLLED, cls.COMPLETED)

    @classmethod
    def active(cls) -> tuple[str, ...]:
        """Enrolments that stop the same person enrolling in the cohort again."""
        return (cls.ENROLLED, cls.WAITING, cls.COMPLETED)


class ProgrammeOperator(models.Model):
    """A public body that runs programmes (SENA, a chamber of commerce, the foreign ministry)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    website = models.URLField(_("website"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="programme_operators",
        verbose_name=_("operator staff"),
        help_text=_(
            "People of this operator who record attendance and completion. They also need the group "
            "“Programme operator” and a second factor."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme operator")
        verbose_name_plural = _("programme operators")

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    operator = models.ForeignKey(
        ProgrammeOperator, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("operator")
    )
    name = models.CharField(_("name"), max_length=150)
    description_es = models.TextField(_("description (Spanish)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("departments"),
        help_text=_("Where it is given (in person) or whom it is for. Empty means the whole country."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("entrepreneurship programme")
        verbose_name_plural = _("entrepreneurship programmes")
        permissions = [
            ("operate_programme", _("Can record attendance and completion (programme operator)")),
            ("mentor_enrolment", _("Can follow mentees' business plans (mentor)")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.operator})"

    @property
    def description(self) -> str:
        """In the reader's language; Spanish when no English text was written."""
        if (get_language() or "es").startswith("en") and self.description_en:
            return self.description_en
        return self.description_es


class Cohort(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For example “2026-I, Medellín”."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    enrolment_deadline = models.DateField(_("enrolment deadline"))
    places = models.PositiveSmallIntegerField(_("places"))
    location = models.CharField(_("where"), max_length=200, blank=True, help_text=_("Address, or empty if virtual."))
    sessions = models.PositiveSmallIntegerField(_("sessions"), default=1)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="cohort_dates_order"),
            models.CheckConstraint(condition=models.Q(places__gt=0), name="cohort_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} · {self.name}"

    def is_open_on(self, day) -> bool:
        return day <= self.enrolment_deadline


def _certificate_path(instance, filename):
    # Random name, nothing user-supplied (as application documents).
    return f"certificates/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Enrolment(models.Model):
    """A returnee in a cohort (or on its waiting list), with their mentor and completion."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("cohort"))
    returnee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("returnee")
    )
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices, db_index=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentees",
        verbose_name=_("mentor"),
    )
    plan = models.ForeignKey(
        "loans.BusinessPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("business plan the mentor follows"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completion recorded by"),
    )
    certificate = models.FileField(_("completion certificate"), upload_to=_certificate_path, blank=True)
    certificate_name = models.CharField(_("certificate file name"), max_length=200, blank=True)
    certificate_uploaded_at = models.DateTimeField(_("certificate uploaded at"), null=True, blank=True)
    certificate_verified_at = models.DateTimeField(_("certificate verified at"), null=True, blank=True)
    certificate_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate verified by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            # One live enrolment per person and cohort: a double click or two tabs make one.
            models.UniqueConstraint(
                fields=["cohort", "returnee"],
                condition=models.Q(status__in=["enrolled", "waiting", "completed"]),
                name="one_active_enrolment_per_cohort",
            )
        ]
        indexes = [models.Index(fields=["cohort", "status", "created_at"], name="enrolment_queue_idx")]

    def __str__(self) -> str:
        return f"{self.returnee} · {self.cohort}"


class Attendance(models.Model):
    """One session of a cohort, attended or not, as the operator recorded it."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("enrolment")
    )
    session_on = models.DateField(_("session date"))
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["session_on"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["enrolment", "session_on"], name="attendance_once_per_day")]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.session_on} · {'✓' if self.present else '✗'}"


class PlanComment(models.Model):
    """A mentor's comment on a mentee's business plan, or the returnee's answer."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="comments", verbose_name=_("enrolment")
    )
    plan = models.ForeignKey(
        "loans.BusinessPlan", on_delete=models.CASCADE, related_name="comments", verbose_name=_("business plan")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    by_mentor = models.BooleanField(_("written by the mentor"))
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("business plan comment")
        verbose_name_plural = _("business plan comments")

    def __str__(self) -> str:
        return f"{self.plan} · {self.created_at:%Y-%m-%d %H:%M}"
