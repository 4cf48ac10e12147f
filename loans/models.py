import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from simple_history.models import HistoricalRecords

from applicants.models import Department, EconomicDivision, EconomicSection, Municipality

from .choices import (
    ApplicationStatus,
    BusinessStage,
    CreditCategory,
    DocumentKind,
    GraceMode,
    InvestmentCategory,
)

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class MinimumWage(models.Model):
    """The SMMLV (salario mínimo mensual legal vigente) of a year, in whole pesos."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    amount = models.PositiveBigIntegerField(_("monthly minimum wage (COP)"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("minimum wage (SMMLV)")
        verbose_name_plural = _("minimum wages (SMMLV)")

    def __str__(self) -> str:
        return f"{self.year}: ${self.amount:,}".replace(",", ".")


class UsuryCap(models.Model):
    """The usury cap certified for a credit category over a period (effective annual %)."""

    credit_category = models.CharField(_("credit category"), max_length=40, choices=CreditCategory.choices)
    rate_pct = models.DecimalField(
        _("usury cap (% effective annual)"), max_digits=7, decimal_places=4, validators=PERCENT
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))

    class Meta:
        ordering = ["credit_category", "-valid_from"]
        verbose_name = _("usury cap")
        verbose_name_plural = _("usury caps")
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")), name="usury_cap_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_credit_category_display()} {self.rate_pct}% ({self.valid_from} – {self.valid_to})"

    def clean(self):
        overlapping = UsuryCap.objects.filter(
            credit_category=self.credit_category, valid_from__lte=self.valid_to, valid_to__gte=self.valid_from
        ).exclude(pk=self.pk)
        if self.valid_from and self.valid_to and overlapping.exists():
            raise ValidationError(_("Another cap for this category covers part of this period."))


class LoanProduct(models.Model):
    """A loan line with every parameter set by staff (DOMAIN.md, 'Loan product parameters')."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description for applicants"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    min_amount_cop = models.PositiveBigIntegerField(_("minimum amount (COP)"), null=True, blank=True)
    max_amount_cop = models.PositiveBigIntegerField(_("maximum amount (COP)"), null=True, blank=True)
    min_amount_smmlv = models.DecimalField(
        _("minimum amount (SMMLV)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    max_amount_smmlv = models.DecimalField(
        _("maximum amount (SMMLV)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    max_financing_pct = models.DecimalField(
        _("maximum share of the plan's investment (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    min_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"), default=6)
    max_term_months = models.PositiveSmallIntegerField(_("maximum term (months, grace included)"))
    max_grace_months = models.PositiveSmallIntegerField(_("maximum grace (months)"), default=0)
    grace_mode = models.CharField(
        _("grace mode"), max_length=20, choices=GraceMode.choices, default=GraceMode.INTEREST_ONLY
    )
    annual_rate_pct = models.DecimalField(
        _("interest rate (% effective annual)"), max_digits=7, decimal_places=4, validators=PERCENT
    )
    credit_category = models.CharField(_("credit category"), max_length=40, choices=CreditCategory.choices)
    guarantee_coverage_pct = models.DecimalField(
        _("guarantee coverage (%)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    state_pays_every = models.PositiveSmallIntegerField(
        _("the state pays every Nth instalment"),
        null=True,
        blank=True,
        help_text=_("For example 12: the borrower pays 11 instalments and the state the 12th. Empty for none."),
    )
    on_time_rebate_pct = models.DecimalField(
        _("on-time rebate (% of the capital)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    eligible_return_types = models.JSONField(
        _("eligible return types"), default=list, blank=True, help_text=_("Empty means every return type.")
    )
    accepted_countries = models.JSONField(
        _("accepted countries of return (ISO codes)"),
        default=list,
        blank=True,
        help_text=_("Two-letter codes such as US, ES, VE. Empty means every country."),
    )
    covered_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("covered departments"),
        help_text=_("Empty means the whole country."),
    )
    window_opens = models.DateField(_("applications open"))
    window_closes = models.DateField(_("applications close"), null=True, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    min_years_abroad = models.PositiveSmallIntegerField(
        _("minimum years lived abroad"), default=3, help_text=_("Ley 1565: 3 years; officers review exceptions.")
    )
    max_months_since_return = models.PositiveSmallIntegerField(_("apply within (months after return)"), default=12)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day) -> bool:
        return (
            self.is_active and self.window_opens <= day and (self.window_closes is None or day <= self.window_closes)
        )

    def clean(self):
        from .products import validate_product

        validate_product(self)


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
    description = models.TextField(_("what the business does"), blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=BusinessStage.choices, blank=True)
    operating_since = models.DateField(_("operating since"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    customers = models.TextField(_("customers"), blank=True)
    competition = models.TextField(_("competition"), blank=True)
    experience = models.TextField(_("relevant experience, including work abroad"), blank=True)
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
        ]
        permissions = [
            ("review_application", _("Can review applications (program officer)")),
            ("approve_application", _("Can approve applications and disburse loans (approver)")),
            ("view_pii", _("Can see document numbers, phones and addresses")),
            ("view_reports", _("Can see reports")),
            ("export_reports", _("Can export reports")),
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
    reason = models.TextField(_("reason"), blank=True)
    message_to_applicant = models.TextField(_("message to the applicant"), blank=True)
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


class EligibilityResult(models.Model):
    """One run of the eligibility engine: the ruleset version and every rule's verdict."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        REVIEW = "review", _("Eligible, with points for the officer to review")
        INELIGIBLE = "ineligible", _("Not eligible")

    application = models.ForeignKey(
        LoanApplication, on_delete=models.CASCADE, related_name="eligibility_results", verbose_name=_("application")
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
    for the officer, who decides (DOMAIN.md, 'Application workflow').
    """

    run = models.ForeignKey(RecheckRun, on_delete=models.CASCADE, related_name="items", verbose_name=_("re-check"))
    application = models.ForeignKey(
        LoanApplication, on_delete=models.CASCADE, related_name="recheck_items", verbose_name=_("application")
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


# --- officer review (issue 5) ------------------------------------------------------------


class ScoringCriterion(models.Model):
    """A criterion of the scoring rubric; staff set the criteria and their weights."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what to look at"), blank=True)
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
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.body[:60]


class ApplicationMessage(models.Model):
    """A message between the applicant and the officers (information requests and answers)."""

    application = models.ForeignKey(LoanApplication, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_applicant = models.BooleanField(_("from the applicant"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:60]


class Loan(models.Model):
    """A disbursed loan: the application's schedule recomputed at the disbursement date."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        IN_ARREARS = "in_arrears", _("In arrears")
        REPAID = "repaid", _("Repaid")
        WRITTEN_OFF = "written_off", _("Written off")

    application = models.OneToOneField(LoanApplication, on_delete=models.PROTECT, related_name="loan")
    history = HistoricalRecords()
    principal = models.PositiveBigIntegerField(_("amount disbursed (COP)"))
    annual_rate_pct = models.DecimalField(_("interest rate (% E.A.)"), max_digits=7, decimal_places=4)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"))
    disbursed_on = models.DateField(_("disbursed on"))
    bank_reference = models.CharField(_("bank reference of the disbursement"), max_length=60, unique=True)
    disbursed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ACTIVE, db_index=True)
    days_in_arrears = models.PositiveIntegerField(_("days in arrears"), default=0)
    rebate_amount = models.PositiveBigIntegerField(_("on-time rebate (COP)"), default=0)
    rebate_granted_at = models.DateTimeField(_("rebate granted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disbursed_on"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")

    def __str__(self) -> str:
        return f"{self.application.reference} · {self.get_state_display()}"


class LoanInstalment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    interest = models.PositiveBigIntegerField(_("interest"))
    principal = models.PositiveBigIntegerField(_("principal"))
    payment = models.PositiveBigIntegerField(_("instalment"))
    state_paid = models.BooleanField(_("paid by the state"), default=False)
    paid_interest = models.PositiveBigIntegerField(_("interest paid"), default=0)
    paid_principal = models.PositiveBigIntegerField(_("principal paid"), default=0)
    paid_on = models.DateField(_("fully paid on"), null=True, blank=True)

    class Meta:
        ordering = ["loan", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [models.UniqueConstraint(fields=["loan", "number"], name="one_instalment_number_per_loan")]
        indexes = [models.Index(fields=["due_date", "paid_on"], name="instalment_due_idx")]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number}"

    @property
    def outstanding(self) -> int:
        return self.payment - self.paid_interest - self.paid_principal


class Repayment(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by staff")
        BANK_FILE = "bank_file", _("Bank file import")
        STATE = "state", _("Paid by the state (incentive)")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    amount = models.PositiveBigIntegerField(_("amount (COP)"), validators=[MinValueValidator(1)])
    bank_reference = models.CharField(_("bank reference"), max_length=60, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    allocated_interest = models.PositiveBigIntegerField(_("to interest"), default=0)
    allocated_principal = models.PositiveBigIntegerField(_("to principal"), default=0)
    unallocated = models.PositiveBigIntegerField(_("overpayment"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")

    def __str__(self) -> str:
        return f"{self.bank_reference}: {self.amount}"


class FollowUpVisit(models.Model):
    """A visit to the business after disbursement: is it operating, were the jobs created."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="visits")
    months_after = models.PositiveSmallIntegerField(_("months after disbursement"))
    due_on = models.DateField(_("due on"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    business_operating = models.BooleanField(_("business operating"), null=True, blank=True)
    jobs_created = models.PositiveSmallIntegerField(_("jobs actually created"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [models.UniqueConstraint(fields=["loan", "months_after"], name="one_visit_per_milestone")]

    def __str__(self) -> str:
        return f"{self.loan} · {self.months_after}m"


# --- reports and exports (issue 6) ------------------------------------------------------


class ExportJob(models.Model):
    """One export asked for by a person or a script: the log row and, for large ones, the job.

    Every attempt is recorded, refused ones included: who, which filters, how many rows,
    which format, when. Large exports are built by a worker into ``file_path`` (under
    MEDIA_ROOT/exports/) and can be downloaded by their owner until ``expires_at``.
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
