from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from applicants.models import EconomicDivision, EconomicSection, Municipality
from loans.applications.documents import check_upload
from loans.applications.models import BusinessPlan, InvestmentItem
from loans.choices import BusinessStage, DocumentKind
from loans.products.forms import PesosField


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
