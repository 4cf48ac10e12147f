"""Disbursed loans, instalments, repayments and follow-up visits."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from loans.choices import PrepaymentChoice
from loans.products.models import LoanOffer


class Loan(models.Model):
    """A disbursed loan: the application's schedule recomputed at the disbursement date."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        IN_ARREARS = "in_arrears", _("In arrears")
        REPAID = "repaid", _("Repaid")

    application = models.OneToOneField("loans.LoanApplication", on_delete=models.PROTECT, related_name="loan")
    offer = models.ForeignKey(
        LoanOffer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("offer")
    )
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
    # Servicing state, kept by the payment service and the daily job (set-based SQL).
    arrears_amount = models.PositiveBigIntegerField(_("amount in arrears (COP)"), default=0, db_default=0)
    default_interest_due = models.PositiveBigIntegerField(_("default interest owed (COP)"), default=0, db_default=0)
    default_interest_charged = models.PositiveBigIntegerField(
        _("default interest charged to date (COP)"), default=0, db_default=0
    )
    default_accrued_through = models.DateField(_("default interest computed up to"), null=True, blank=True)
    credit_balance = models.PositiveBigIntegerField(
        _("credit balance owed to the borrower (COP)"), default=0, db_default=0
    )
    schedule_version = models.PositiveSmallIntegerField(_("schedule version"), default=1, db_default=1)
    prepayment_choice = models.CharField(
        _("when I pay more than is due"),
        max_length=20,
        choices=PrepaymentChoice.choices,
        default=PrepaymentChoice.SHORTEN_TERM,
        db_default=PrepaymentChoice.SHORTEN_TERM,
    )
    prepayment_choice_set_at = models.DateTimeField(_("preference given at"), null=True, blank=True)
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
    # A capitalised grace month: its interest joined the principal and nothing is due (payment 0).
    capitalised_interest = models.PositiveBigIntegerField(_("interest capitalised"), default=0, db_default=0)
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
    allocated_default_interest = models.PositiveBigIntegerField(_("to default interest"), default=0, db_default=0)
    allocated_interest = models.PositiveBigIntegerField(_("to interest"), default=0)
    allocated_principal = models.PositiveBigIntegerField(_("to principal due"), default=0)
    prepaid_principal = models.PositiveBigIntegerField(_("to principal not yet due"), default=0, db_default=0)
    unallocated = models.PositiveBigIntegerField(_("to credit balance"), default=0)
    prepayment_choice = models.CharField(
        _("prepayment choice applied"), max_length=20, choices=PrepaymentChoice.choices, blank=True, db_default=""
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")

    def __str__(self) -> str:
        return f"{self.bank_reference}: {self.amount}"

    @property
    def applied_total(self) -> int:
        """Every peso of the payment is somewhere: this equals ``amount``."""
        return (
            self.allocated_default_interest
            + self.allocated_interest
            + self.allocated_principal
            + self.prepaid_principal
            + self.unallocated
        )


class ScheduleVersion(models.Model):
    """Every schedule a loan ever had, as issued: disbursement, then one per prepayment or payoff."""

    class Reason(models.TextChoices):
        DISBURSEMENT = "disbursement", _("Disbursement")
        PREPAYMENT = "prepayment", _("Extra payment to principal")
        PAYOFF = "payoff", _("Paid off early")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="schedule_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    prepayment_choice = models.CharField(_("choice"), max_length=20, choices=PrepaymentChoice.choices, blank=True)
    repayment = models.ForeignKey(
        "Repayment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment")
    )
    rows = models.JSONField(_("instalments as issued"))
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["loan", "number"]
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        constraints = [models.UniqueConstraint(fields=["loan", "number"], name="one_schedule_version_number")]

    def __str__(self) -> str:
        return f"{self.loan_id} v{self.number}"


class CreditRefund(models.Model):
    """Money the borrower paid beyond the whole debt, returned by staff: one asks, another approves."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (COP)"), validators=[MinValueValidator(1)])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference of the transfer"), max_length=60, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("credit balance refund")
        verbose_name_plural = _("credit balance refunds")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=models.Q(state="requested"), name="one_open_refund_per_loan"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.amount} ({self.state})"


class PaymentInstructions(models.Model):
    """How borrowers pay (bank, account, agreement code), written by staff and shown on every loan page."""

    title = models.CharField(_("title"), max_length=120)
    body_es = models.TextField(_("instructions in Spanish"))
    body_en = models.TextField(_("instructions in English"))
    is_active = models.BooleanField(_("shown to borrowers"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("payment instructions")
        verbose_name_plural = _("payment instructions")

    def __str__(self) -> str:
        return self.title


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
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [models.UniqueConstraint(fields=["loan", "months_after"], name="one_visit_per_milestone")]

    def __str__(self) -> str:
        return f"{self.loan} · {self.months_after}m"
