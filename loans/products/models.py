"""Products, minimum wages and usury caps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models import Department
from loans.choices import (
    CreditCategory,
    DocumentKind,
    GraceMode,
)
from loans.products.money import format_percent

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
    """A loan line with every parameter set by staff (docs/DOMAIN.md, "Loan products")."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description for applicants"), max_length=2000, blank=True)
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
    # Named by string: programmes live beside products in the same app, and neither imports the other.
    accepted_programmes = models.ManyToManyField(
        "loans.Programme",
        blank=True,
        related_name="products",
        verbose_name=_("accepted entrepreneurship programmes"),
        help_text=_(
            "The applicant must be enrolled in one of them to apply, and have completed it before the "
            "disbursement. Empty means no programme is required."
        ),
    )

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
        """Staff-facing checks; the rate must stay under the usury cap in force for its category."""
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        if self.min_amount_cop is None and self.min_amount_smmlv is None:
            add("min_amount_cop", _("Set a minimum amount, in pesos or in SMMLV."))
        if self.max_amount_cop is None and self.max_amount_smmlv is None:
            add("max_amount_cop", _("Set a maximum amount, in pesos or in SMMLV."))
        if self.min_amount_cop and self.max_amount_cop and self.min_amount_cop > self.max_amount_cop:
            add("max_amount_cop", _("The maximum must be at least the minimum."))
        if (
            self.min_amount_smmlv is not None
            and self.max_amount_smmlv is not None
            and self.min_amount_smmlv > self.max_amount_smmlv
        ):
            add("max_amount_smmlv", _("The maximum must be at least the minimum."))
        if self.min_term_months and self.max_term_months and self.min_term_months > self.max_term_months:
            add("max_term_months", _("The maximum term must be at least the minimum term."))
        if self.max_term_months is not None and self.max_grace_months >= self.max_term_months:
            add("max_grace_months", _("The grace must be shorter than the maximum term."))
        if self.window_closes and self.window_opens and self.window_closes < self.window_opens:
            add("window_closes", _("The window cannot close before it opens."))
        if self.state_pays_every is not None and self.state_pays_every < 2:
            add("state_pays_every", _("Use 2 or more (every 12th instalment is written 12)."))
        unknown = set(self.required_documents or []) - set(DocumentKind.values)
        if unknown:
            add("required_documents", _("Unknown document kinds: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))})
        if self.annual_rate_pct is not None and self.credit_category:
            day = max(self.window_opens or timezone.localdate(), timezone.localdate())
            cap = usury_cap_on(self.credit_category, day)
            if cap is None:
                add(
                    "credit_category",
                    _("There is no usury cap in force for this credit category on %(day)s; add it first.")
                    % {"day": day.isoformat()},
                )
            elif self.annual_rate_pct > cap.rate_pct:
                add(
                    "annual_rate_pct",
                    _("%(rate)s%% E.A. exceeds the usury cap of %(cap)s%% E.A. in force for %(category)s.")
                    % {
                        "rate": format_percent(self.annual_rate_pct),
                        "cap": format_percent(cap.rate_pct),
                        "category": cap.get_credit_category_display(),
                    },
                )
        if errors:
            raise ValidationError(errors)


def smmlv_for(year: int) -> int | None:
    return MinimumWage.objects.filter(year=year).values_list("amount", flat=True).first()


def usury_cap_on(credit_category: str, day: date) -> UsuryCap | None:
    return UsuryCap.objects.filter(credit_category=credit_category, valid_from__lte=day, valid_to__gte=day).first()
