"""Disbursed loans, instalments, repayments and follow-up visits."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Loan(models.Model):
    """A disbursed loan: the application's schedule recomputed at the disbursement date."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        IN_ARREARS = "in_arrears", _("In arrears")
        REPAID = "repaid", _("Repaid")

    application = models.OneToOneField("loans.LoanApplication", on_delete=models.PROTECT, related_name="loan")
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
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [models.UniqueConstraint(fields=["loan", "months_after"], name="one_visit_per_milestone")]

    def __str__(self) -> str:
        return f"{self.loan} · {self.months_after}m"
