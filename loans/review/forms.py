"""Forms for the officers' decisions in the admin."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loans import permissions

REJECTION_REASONS = [
    ("not_viable", _("The business plan is not viable")),
    ("capacity", _("Insufficient repayment capacity")),
    ("documents", _("Documents missing or inconsistent")),
    ("identity", _("Identity could not be verified")),
    ("requirements", _("Legal requirements not met")),
    ("other", _("Other")),
]


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("Question for the applicant"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant reads this and answers in the portal."),
    )


class RecommendForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the approver"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    amount = forms.IntegerField(
        label=_("Recommended amount (COP)"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to recommend the amount requested."),
    )
    term_months = forms.IntegerField(
        label=_("Recommended term (months)"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to keep the term requested."),
    )


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=REJECTION_REASONS)
    message = forms.CharField(
        label=_("Message to the applicant"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Explain the decision in plain words; the applicant reads it."),
    )
    # The status the officer decided on; if it moved before the POST, the rejection is refused.
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you send it back to the officers"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The officers read this; the applicant does not."),
    )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the automatic result is overridden"),
        min_length=20,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DisburseForm(forms.Form):
    disbursed_on = forms.DateField(
        label=_("Disbursement date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    amount = forms.IntegerField(label=_("Amount disbursed (COP)"), min_value=1)
    bank_reference = forms.CharField(label=_("Bank reference of the transfer"), max_length=60)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


def program_officers():
    """Active staff who may review applications: whom an application can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | permissions.holders(permissions.REVIEW_APPLICATION))
        .distinct()
        .order_by("email")
    )


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Officer"), queryset=get_user_model().objects.none(), required=False, help_text=_("Empty to unassign.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = program_officers()


class ScoresForm(forms.Form):
    def __init__(self, *args, criteria, current, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (×{criterion.weight})",
                help_text=criterion.description,
                choices=[(i, str(i)) for i in range(6)],
                coerce=int,
                initial=current.get(criterion.pk),
            )

    def scores(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}
