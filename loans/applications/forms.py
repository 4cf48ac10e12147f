from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from applicants.models import EconomicDivision, EconomicSection, Municipality
from loans.applications.documents import check_upload
from loans.applications.models import BusinessPlan, InvestmentItem
from loans.choices import BusinessStage, DocumentKind
from loans.products.models import LoanProduct
from loans.products.rules import RequestLimits, loan_request_errors, request_hints, request_limits
from portal.forms import WordedChoicesMixin


class PesosInput(forms.TextInput):
    """A saved amount shows as people write it, 12.000.000; what someone typed comes back as
    they typed it (a refused form must not rewrite their input)."""

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return super().format_value(value)


MONEY_WIDGET = PesosInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class PesosField(forms.IntegerField):
    """Whole pesos as people write them: "1.500.000", "$ 1 500 000" or "1500000"."""

    widget = MONEY_WIDGET

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("$", "").replace(".", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No min/max attributes: the browser's number checks would refuse "1.500.000".
        return {}


class PlanNameForm(forms.ModelForm):
    class Meta:
        model = BusinessPlan
        fields = ["name"]
        help_texts = {"name": _("The name of your business or project. You can change it later.")}


class BusinessPlanForm(forms.ModelForm):
    """Every field is optional while drafting; completeness is checked before sending."""

    class Meta:
        model = BusinessPlan
        fields = [
            "name",
            "section",
            "division",
            "description",
            "stage",
            "operating_since",
            "municipality",
            "customers",
            "competition",
            "experience",
            "own_contribution",
            "monthly_sales",
            "monthly_costs",
            "jobs_to_create",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "customers": forms.Textarea(attrs={"rows": 2}),
            "competition": forms.Textarea(attrs={"rows": 2}),
            "experience": forms.Textarea(attrs={"rows": 2}),
            "operating_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "jobs_to_create": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "stage": forms.RadioSelect,
        }
        field_classes = {"own_contribution": PesosField, "monthly_sales": PesosField, "monthly_costs": PesosField}
        help_texts = {
            "section": _("The broad sector of the business (CIIU)."),
            "division": _("The activity within the sector."),
            "description": _("What you will sell or make, and how."),
            "operating_since": _("Only if the business already operates."),
            "municipality": _("Where the business will operate."),
            "customers": _("Who will buy from you."),
            "competition": _("Who else sells the same near you, and why people would choose you."),
            "experience": _("What you learned in this trade, in Colombia or abroad."),
            "own_contribution": _("Money or goods you put in yourself, in pesos."),
            "monthly_sales": _("In pesos, once the business is running."),
            "monthly_costs": _("In pesos: rent, supplies, salaries, services."),
            "jobs_to_create": _("Jobs besides your own."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = EconomicSection.objects.order_by("code")
        divisions: dict[str, list] = {}
        for division in EconomicDivision.objects.select_related("section").order_by("code"):
            divisions.setdefault(str(division.section), []).append((division.code, str(division)))
        self.fields["division"].choices = [("", _("Choose an activity")), *divisions.items()]
        municipalities: dict[str, list] = {}
        for municipality in Municipality.objects.select_related("department").order_by("department__name", "name"):
            municipalities.setdefault(municipality.department.name, []).append((municipality.code, municipality.name))
        self.fields["municipality"].choices = [("", _("Choose a municipality")), *municipalities.items()]
        self.fields["stage"].required = False
        self.fields["stage"].choices = BusinessStage.choices
        # Without JavaScript every activity is listed under its sector; portal.js narrows the list.
        self.fields["division"].widget.attrs["data-filter-by"] = "id_section"

    def clean(self):
        cleaned = super().clean()
        section, division = cleaned.get("section"), cleaned.get("division")
        if section and division and division.section_id != section.code:
            self.add_error("division", ValidationError(_("This activity belongs to another sector."), code="sector"))
        if cleaned.get("stage") == "idea" and cleaned.get("operating_since"):
            cleaned["operating_since"] = None
        return cleaned


class InvestmentItemForm(forms.ModelForm):
    class Meta:
        model = InvestmentItem
        fields = ["category", "description", "amount"]
        field_classes = {"amount": PesosField}
        help_texts = {"amount": _("In pesos, for example 1.500.000.")}
        # One message whether the amount is empty, zero or negative (the field's own would say "≥ 0").
        error_messages = {
            "amount": {
                "required": _("Enter an amount greater than zero."),
                "min_value": _("Enter an amount greater than zero."),
            }
        }

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is None or amount <= 0:
            raise ValidationError(_("Enter an amount greater than zero."), code="not_positive")
        return amount


InvestmentItemFormSet = inlineformset_factory(
    BusinessPlan, InvestmentItem, form=InvestmentItemForm, extra=2, can_delete=True, max_num=50, validate_max=True
)


class ChoosePlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Business plan"),
        queryset=BusinessPlan.objects.none(),
        widget=forms.RadioSelect,
        help_text=_("The plan this loan is for."),
        empty_label=None,
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = owner.business_plans.order_by("-updated_at")


class ProductSelect(forms.Select):
    """Each product's limits ride on its option (and the products' overall range on the select),
    so a script can move the inputs' min/max and the hints when the person picks another product.
    Without the script the hints the server wrote for the chosen product stay true."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = str(getattr(value, "value", value))
        option["attrs"].update(self.limits.get(key, {}))
        return option


def _limit_attrs(limits: RequestLimits) -> dict[str, str]:
    hints = request_hints(limits)
    return {
        "data-term-min": str(limits.min_term),
        "data-term-max": str(limits.max_term),
        "data-grace-max": str(limits.max_grace),
        "data-amount-hint": hints["amount"],
        "data-term-hint": hints["term_months"],
        "data-grace-hint": hints["grace_months"],
    }


def _overall(limits: list[RequestLimits]) -> RequestLimits:
    return RequestLimits(
        min(item.min_amount for item in limits),
        max(item.max_amount for item in limits),
        None,
        min(item.min_term for item in limits),
        max(item.max_term for item in limits),
        max(item.max_grace for item in limits),
    )


class LoanRequestForm(WordedChoicesMixin, forms.Form):
    product: forms.ModelChoiceField[LoanProduct] = forms.ModelChoiceField(
        label=_("Loan product"),
        queryset=LoanProduct.objects.none(),
        help_text=_("The loan line you apply to."),
        widget=ProductSelect,
    )
    amount = PesosField(
        label=_("Amount (pesos)"),
        min_value=1,
        help_text=_("In pesos, for example 20.000.000."),
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"),
        min_value=1,
        max_value=240,
        help_text=_("Grace months included."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    grace_months = forms.IntegerField(
        label=_("Grace (months)"),
        min_value=0,
        max_value=120,
        initial=0,
        help_text=_("Months at the start in which you do not repay capital."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, products, total_investment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        # Only open products are offered, so an id outside them is a product whose window closed
        # (a page left open, a shared link) or no product at all: say so, not "invalid choice".
        self.fields["product"].error_messages["invalid_choice"] = _("Applications for this product are closed.")
        self.total_investment = total_investment
        self._show_limits(products)

    def _chosen_product(self, products):
        key = self.data.get(self.add_prefix("product")) if self.is_bound else None
        if key in (None, ""):
            initial = self.initial.get("product")
            key = getattr(initial, "pk", initial)
        if key not in (None, ""):
            return next((product for product in products if str(product.pk) == str(key)), None)
        return products[0] if len(products) == 1 else None

    def _show_limits(self, queryset) -> None:
        """Hints and input bounds from the chosen product, or the range over the open products."""
        products = list(queryset)
        by_product = {
            product: limits
            for product in products
            if (limits := request_limits(product, self.total_investment)) is not None
        }
        if not by_product:
            return
        widget = self.fields["product"].widget
        widget.limits = {str(product.pk): _limit_attrs(limits) for product, limits in by_product.items()}
        overall = _overall(list(by_product.values()))
        widget.attrs.update(_limit_attrs(overall))
        chosen = self._chosen_product(products)
        limits = by_product.get(chosen, overall)
        for name, hint in request_hints(limits).items():
            self.fields[name].help_text = hint
        self.fields["term_months"].widget.attrs.update({"min": limits.min_term, "max": limits.max_term})
        self.fields["grace_months"].widget.attrs.update({"min": 0, "max": limits.max_grace})

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product")
        if product is None:
            return cleaned
        errors = loan_request_errors(
            product,
            amount=cleaned.get("amount"),
            term_months=cleaned.get("term_months"),
            grace_months=cleaned.get("grace_months"),
            total_investment=self.total_investment,
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class SimulatorForm(LoanRequestForm):
    """The public simulator: the same checks, no plan (so no financing-share limit)."""


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=DocumentKind.choices, help_text=_("What the file is."))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB. A clear photo taken with your phone is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_file(self):
        return check_upload(self.cleaned_data["file"])


class DeclarationsForm(forms.Form):
    accept_terms = forms.BooleanField(
        label=_("I have read the loan conditions and the repayment schedule."),
        help_text=_("You saw them in the loan request step."),
        error_messages={"required": _("You must accept this declaration to continue.")},
    )
    accept_checks = forms.BooleanField(
        label=_("I authorise officers to check my information with Migración Colombia, the RUR and credit bureaus."),
        help_text=_("They are needed to decide on the loan."),
        error_messages={"required": _("You must accept this declaration to continue.")},
    )
    accept_truth = forms.BooleanField(
        label=_("I declare that what I wrote in this application is true."),
        help_text=_("False statements cancel the application."),
        error_messages={"required": _("You must accept this declaration to continue.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("It helps us improve the programme."),
    )
    confirm = forms.BooleanField(
        label=_("I want to withdraw this application."),
        help_text=_("This cannot be undone; you can start a new application later."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class AnswerForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Answer the officer's question. Upload any document they asked for before sending."),
    )
