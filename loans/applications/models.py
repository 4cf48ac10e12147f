"""Business plans, applications, their events and documents."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from simple_history.models import HistoricalRecords

from applicants.models import Department, EconomicDivision, EconomicSection, Municipality
from loans import permissions
from loans.choices import (
    ApplicationStatus,
    BusinessStage,
    DocumentKind,
    InvestmentCategory,
)
from loans.products.models import LoanOffer, LoanProduct  # noqa: F401


class BusinessPlan(models.Model):
    """A returnee's business plan; several may exist and each is saved as a draft at any moment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="business_plans", verbose_name=_("owner")
    )
    name = models.CharField(_("business name"), max_length=120)
    section = models.ForeignKey(
        EconomicSection, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sector (CIIU section)")
    )
    division = models.ForeignKey(
        EconomicDivision, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("activity (CIIU division)")
    )
    description = models.TextField(_("what the business does"), max_length=2000, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=BusinessStage.choices, blank=True)
    operating_since = models.DateField(_("operating since"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    customers = models.TextField(_("customers"), max_length=1000, blank=True)
    competition = models.TextField(_("competition"), max_length=1000, blank=True)
    experience = models.TextField(_("relevant experience, including work abroad"), max_length=2000, blank=True)
    own_contribution = models.PositiveBigIntegerField(_("own contribution (COP)"), default=0)
    monthly_sales = models.PositiveBigIntegerField(_("expected monthly sales (COP)"), null=True, blank=True)
    monthly_costs = models.PositiveBigIntegerField(_("expected monthly costs (COP)"), null=True, blank=True)
    jobs_to_create = models.PositiveSmallIntegerField(_("jobs to create"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")

    def __str__(self) -> str:
        return self.name


class InvestmentItem(models.Model):
    """One line of the plan's itemised investment."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan"))
    category = models.CharField(_("category"), max_length=20, choices=InvestmentCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (COP)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("investment item")
        verbose_name_plural = _("investment items")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="investment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class ReferenceCounter(models.Model):
    """Per-year counter behind references like RP-2026-000123 (locked row, no gaps on commit)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class LoanApplication(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="loan_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    product = models.ForeignKey(
        LoanProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("product"),
    )
    plan = models.ForeignKey(
        BusinessPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("business plan"),
    )
    amount = models.PositiveBigIntegerField(_("amount requested (COP)"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"), null=True, blank=True)
    # The terms in force for this application (frozen at submission; replaced only by an offer the
    # applicant accepts). Everything after submission reads it, never the live product.
    offer = models.OneToOneField(
        "loans.LoanOffer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("current offer"),
    )
    declarations_accepted_at = models.DateTimeField(_("declarations accepted at"), null=True, blank=True)
    # Frozen at submission: what the officer reviews is exactly what was sent.
    frozen_plan = models.JSONField(_("business plan as submitted"), null=True, blank=True, editable=False)
    frozen_profile = models.JSONField(_("profile as submitted"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Review (officers and approvers; written only through loans.review).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned officer"),
    )
    info_requested_at = models.DateTimeField(_("information requested at"), null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_amount = models.PositiveBigIntegerField(_("recommended amount (COP)"), null=True, blank=True)
    recommended_term_months = models.PositiveSmallIntegerField(_("recommended term (months)"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=40, blank=True)
    # Copied at submission and at each eligibility run so the officers' queue filters on
    # indexed columns instead of JSON or a subquery per row.
    business_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department of the business"),
    )
    business_section = models.ForeignKey(
        EconomicSection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    eligibility_outcome = models.CharField(_("eligibility outcome"), max_length=12, blank=True, db_index=True)
    review_flags = models.JSONField(_("review flags"), default=list, blank=True)
    # Where the money goes; encrypted, compared through its blind index (duplicate detection).
    bank_account = EncryptedCharField(_("bank account for the disbursement"), max_length=40, blank=True, null=True)
    bank_account_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    history = HistoricalRecords(excluded_fields=["bank_account", "frozen_profile"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="application_applicant_idx"),
            models.Index(fields=["status", "-submitted_at"], name="application_queue_idx"),
            models.Index(fields=["assigned_to", "status", "-submitted_at"], name="application_my_queue_idx"),
            models.Index(fields=["-submitted_at", "-id"], name="application_submitted_idx"),
            models.Index(fields=["business_department", "status"], name="application_department_idx"),
            models.Index(fields=["business_section", "status"], name="application_section_idx"),
            # The reports' date range (applications started between two dates), filtered live.
            models.Index(fields=["created_at"], name="application_created_idx"),
        ]
        permissions = [
            (permissions.REVIEW_APPLICATION, _("Can review applications (program officer)")),
            (permissions.APPROVE_APPLICATION, _("Can approve applications and disburse loans (approver)")),
            (permissions.VIEW_PII, _("Can see document numbers, phones and addresses")),
            (permissions.VIEW_REPORTS, _("Can see reports")),
            (permissions.EXPORT_REPORTS, _("Can export reports")),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("Draft application"))

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT


class ApplicationEvent(models.Model):
    """One audited move of an application: who, when, from, to, why."""

    application = models.ForeignKey(
        LoanApplication, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    reason = models.TextField(_("reason"), max_length=5000, blank=True)
    message_to_applicant = models.TextField(_("message to the applicant"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        indexes = [models.Index(fields=["application", "created_at"], name="event_application_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


def _document_path(instance, filename):
    # Random name, no user-supplied part: nothing guessable, nothing executable by extension.
    return f"documents/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        LoanApplication, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application")
    )
    kind = models.CharField(_("document type"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class DocumentAccess(models.Model):
    """Who opened which document, when (identity documents are sensitive)."""

    document = models.ForeignKey(ApplicationDocument, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    accessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self) -> str:
        return f"{self.user} · {self.document_id} · {self.accessed_at:%Y-%m-%d %H:%M}"


class ApplicationMessage(models.Model):
    """A message between the applicant and the officers (information requests and answers)."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_applicant = models.BooleanField(_("from the applicant"))
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:60]
