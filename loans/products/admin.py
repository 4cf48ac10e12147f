"""Admin of products, minimum wages and usury caps."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from applicants.choices import ReturnType
from loans.choices import DocumentKind
from loans.products.models import LoanProduct, MinimumWage, UsuryCap
from loans.products.money import format_cop


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ["year", "amount_cop"]

    @admin.display(description=_("amount"))
    def amount_cop(self, obj):
        return format_cop(obj.amount)


@admin.register(UsuryCap)
class UsuryCapAdmin(admin.ModelAdmin):
    list_display = ["credit_category", "rate_pct", "valid_from", "valid_to"]
    list_filter = ["credit_category"]
    date_hierarchy = "valid_from"


class LoanProductForm(forms.ModelForm):
    eligible_return_types = forms.MultipleChoiceField(
        label=_("eligible return types"),
        choices=ReturnType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every return type."),
    )
    required_documents = forms.MultipleChoiceField(
        label=_("required documents"),
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accepted_countries = forms.CharField(
        label=_("accepted countries of return"),
        required=False,
        help_text=_("Two-letter codes separated by commas, such as US, ES, VE. Empty means every country."),
    )

    class Meta:
        model = LoanProduct
        exclude: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["accepted_countries"] = ", ".join(self.instance.accepted_countries or [])

    def clean_accepted_countries(self):
        raw = self.cleaned_data.get("accepted_countries") or ""
        codes = [code.strip().upper() for code in raw.replace(";", ",").split(",") if code.strip()]
        bad = [code for code in codes if len(code) != 2 or not code.isalpha()]
        if bad:
            raise forms.ValidationError(
                _("Not a two-letter country code: %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return codes


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    form = LoanProductForm
    list_display = ["name", "code", "is_active", "annual_rate_pct", "credit_category", "window_opens", "window_closes"]
    list_filter = ["is_active", "credit_category"]
    search_fields = ["name", "code"]
    filter_horizontal = ["covered_departments", "accepted_programmes"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "is_active"]}),
        (
            _("Amounts"),
            {
                "fields": [
                    "min_amount_cop",
                    "max_amount_cop",
                    "min_amount_smmlv",
                    "max_amount_smmlv",
                    "max_financing_pct",
                ]
            },
        ),
        (
            _("Term and rate"),
            {
                "fields": [
                    "min_term_months",
                    "max_term_months",
                    "max_grace_months",
                    "grace_mode",
                    "annual_rate_pct",
                    "credit_category",
                ]
            },
        ),
        (
            _("Guarantee and incentives"),
            {"fields": ["guarantee_coverage_pct", "state_pays_every", "on_time_rebate_pct"]},
        ),
        (
            _("Who may apply"),
            {
                "fields": [
                    "eligible_return_types",
                    "accepted_countries",
                    "covered_departments",
                    "accepted_programmes",
                    "min_years_abroad",
                    "max_months_since_return",
                ]
            },
        ),
        (_("Window and documents"), {"fields": ["window_opens", "window_closes", "required_documents"]}),
    ]
