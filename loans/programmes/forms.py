from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.forms import DATE_WIDGET
from applicants.models import Department
from loans.programmes.certificates import check_certificate
from loans.programmes.models import Modality


class ProgrammeFilterForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=[("", _("Virtual or in person")), *Modality.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            ("", _("All departments")),
            *Department.objects.order_by("name").values_list("code", "name"),
        ]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("At most 4,000 characters."),
        error_messages={"required": _("Write the comment.")},
    )


class PlanChoiceForm(forms.Form):
    plan: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Business plan your mentor follows"),
        queryset=None,
        empty_label=_("Choose a plan"),
        help_text=_("Your mentor reads it and comments; only you can change it."),
        error_messages={"required": _("Choose a plan."), "invalid_choice": _("Choose one of your own plans.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = user.business_plans.order_by("name")


class CertificateForm(forms.Form):
    certificate = forms.FileField(
        label=_("Completion certificate"),
        help_text=_("The certificate the operator gave you: PDF, JPEG or PNG, at most 10 MB."),
        error_messages={"required": _("Choose the file of the certificate.")},
    )

    def clean_certificate(self):
        name, content = check_certificate(self.cleaned_data["certificate"])
        self.checked = (name, content)
        return self.cleaned_data["certificate"]


class AttendanceForm(forms.Form):
    session_on = forms.DateField(label=_("Session date"), widget=DATE_WIDGET)
    present = forms.TypedChoiceField(
        label=_("Attendance"),
        choices=[("True", _("Present")), ("False", _("Absent"))],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort

    def clean_session_on(self):
        day = self.cleaned_data["session_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Attendance is recorded for sessions that already took place."), code="future")
        if not self.cohort.starts_on <= day <= self.cohort.ends_on:
            raise ValidationError(_("The date is outside the cohort's dates."), code="outside")
        return day


class MentorForm(forms.Form):
    mentor: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Mentor"),
        queryset=None,
        empty_label=_("Choose a mentor"),
        error_messages={"required": _("Choose a mentor."), "invalid_choice": _("Choose one of the mentors listed.")},
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
