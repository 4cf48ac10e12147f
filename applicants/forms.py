from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import WordedChoicesMixin

from .choices import RETURN_TYPE_EXPLAINED, DocumentType
from .countries import country_choices
from .crypto import normalize_document_number
from .models import Department, Municipality, ReturneeProfile, User
from .phones import format_phone, parse_colombian_phone
from .validators import validate_adult_birth_date, validate_not_future

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# "True"/"False" are how the radio widget prints a saved boolean, so a saved answer shows as
# chosen; no empty choice, because a radio labelled "Choose one" is not an answer.
YES_NO = [("True", _("Yes")), ("False", _("No"))]


def yes_no_field(label, help_text):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        required=True,
    )


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will send you a link to confirm it. Use an address you can open on your phone."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        help_text=_("At least 10 characters. Avoid common words and numbers only."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        help_text=_("Type the same password again, to be sure."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("I have read and accept the processing of my personal data described above."),
        help_text=_("Required by Ley 1581 de 2012. You can see and withdraw it later from your account."),
        error_messages={"required": _("You must accept the data-processing authorisation to create an account.")},
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email already exists. Log in or reset your password."), code="duplicate"
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords do not match."), code="mismatch"))
        elif password1:
            try:
                password_validation.validate_password(password1, User(email=cleaned.get("email") or ""))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email"}),
        help_text=_("The address you registered with."),
    )
    error_messages = {
        "invalid_login": _(
            "The email or the password is not correct. After 5 failed attempts the account is locked for 30 minutes."
        ),
        "inactive": _("This account is closed."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _("Forgot it? Use the link below to choose a new one.")

    def clean_username(self):
        # django-axes counts failures per username as given: without one spelling per address,
        # "Ana@Example.co" and "ana@example.co" would each get their own five attempts.
        return self.cleaned_data["username"].lower()


class StrictSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _("At least 10 characters. Avoid common words and numbers only.")
        self.fields["new_password2"].help_text = _("Type the same password again, to be sure.")


class IdentityForm(WordedChoicesMixin, forms.ModelForm):
    is_colombian_national = yes_no_field(
        _("Are you a Colombian national?"), _("The programme is for Colombian citizens who return to the country.")
    )

    class Meta:
        model = ReturneeProfile
        fields = [
            "document_type",
            "document_number",
            "is_colombian_national",
            "first_names",
            "last_names",
            "birth_date",
            "sex",
        ]
        widgets = {"birth_date": DATE_WIDGET}
        help_texts = {
            "document_type": _("Colombian citizens usually use the cédula de ciudadanía."),
            "document_number": _("Only the number, without dots or spaces."),
            "first_names": _("As written on your document."),
            "last_names": _("As written on your document."),
            "birth_date": _("Day, month and year. You must be 18 or older."),
            "sex": _("As it appears on your document, or choose not to say."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
        self.fields["document_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})

    def clean_document_number(self):
        number = normalize_document_number(self.cleaned_data["document_number"])
        document_type = self.data.get(self.add_prefix("document_type"))
        if document_type in (DocumentType.CEDULA_CIUDADANIA, DocumentType.TARJETA_IDENTIDAD):
            if not number.isdigit() or not 3 <= len(number) <= 10:
                raise ValidationError(_("A cédula or tarjeta de identidad has 3 to 10 digits."), code="bad_number")
        elif not 4 <= len(number) <= 20:
            raise ValidationError(_("Enter between 4 and 20 letters or digits."), code="bad_number")
        return number

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        validate_adult_birth_date(value)
        return value


class ContactForm(WordedChoicesMixin, forms.ModelForm):
    class Meta:
        model = ReturneeProfile
        fields = ["phone"]
        help_texts = {"phone": _("10 digits, for example 300 123 4567. We may call or text you about your loan.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].widget = forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"})
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_phone(self.instance.phone)

    def clean_phone(self):
        return parse_colombian_phone(self.cleaned_data["phone"])


class MunicipalitySelect(forms.Select):
    """Municipalities grouped by department; a script hides the other departments' groups."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attrs.setdefault("data-filter-by", "id_department")


class ResidenceForm(WordedChoicesMixin, forms.ModelForm):
    class Meta:
        model = ReturneeProfile
        fields = ["department", "municipality", "address"]
        help_texts = {
            "department": _("The department where you live now."),
            "municipality": _("Choose the department first; the list shows its municipalities."),
            "address": _("Street, number and neighbourhood, or the rural area (vereda)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
        self.fields["department"].queryset = Department.objects.order_by("name")
        municipality = self.fields["municipality"]
        municipality.queryset = Municipality.objects.select_related("department")
        groups: dict[str, list[tuple[str, str]]] = {}
        for item in Municipality.objects.select_related("department").order_by("department__name", "name"):
            groups.setdefault(item.department.name, []).append((item.code, item.name))
        municipality.choices = [("", _("Choose a municipality")), *groups.items()]
        municipality.widget = MunicipalitySelect(choices=municipality.choices)
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"

    def clean(self):
        cleaned = super().clean()
        department, municipality = cleaned.get("department"), cleaned.get("municipality")
        if department and municipality and municipality.department_id != department.code:
            self.add_error(
                "municipality",
                ValidationError(
                    _("%(municipality)s is not in %(department)s. Choose a municipality of that department."),
                    code="wrong_department",
                    params={"municipality": municipality.name, "department": department.name},
                ),
            )
        return cleaned


class ReturnHistoryForm(WordedChoicesMixin, forms.ModelForm):
    forced_return = yes_no_field(
        _("Was your return forced (for example, a deportation)?"),
        _("This does not exclude you: some rules are reviewed by an officer in these cases."),
    )

    class Meta:
        model = ReturneeProfile
        fields = [
            "country_returned_from",
            "departure_date",
            "return_date",
            "return_type",
            "forced_return",
            "rur_number",
        ]
        widgets = {"departure_date": DATE_WIDGET, "return_date": DATE_WIDGET}
        help_texts = {
            "country_returned_from": _("The country where you lived before coming back."),
            "departure_date": _("When you left Colombia to live abroad."),
            "return_date": _("When you came back to live in Colombia."),
            "return_type": _(
                "The type you registered, or will register, for in the RUR; the benefits are used once, under one "
                "type. If you were deported, choose by what you plan to do now (a business: productive return); "
                "the question below asks about the deportation."
            ),
            "rur_number": _("Your number in the Registro Único de Retornados, if you have one. You can add it later."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("country_returned_from", "departure_date", "return_date", "return_type"):
            self.fields[name].required = True
        self.fields["return_type"].choices = RETURN_TYPE_EXPLAINED
        self.fields["return_type"].widget = forms.RadioSelect(choices=RETURN_TYPE_EXPLAINED)
        self.fields["country_returned_from"] = forms.ChoiceField(
            label=_("Country you returned from"),
            help_text=self.Meta.help_texts["country_returned_from"],
            choices=[("", _("Choose a country")), *country_choices()],
        )

    def clean_departure_date(self):
        value = self.cleaned_data["departure_date"]
        validate_not_future(value)
        return value

    def clean_return_date(self):
        value = self.cleaned_data["return_date"]
        validate_not_future(value)
        return value

    def clean(self):
        cleaned = super().clean()
        left, back = cleaned.get("departure_date"), cleaned.get("return_date")
        if left and back and back < left:
            self.add_error(
                "return_date",
                ValidationError(_("The return date cannot be before the date you left Colombia."), code="order"),
            )
        return cleaned


class HouseholdForm(WordedChoicesMixin, forms.ModelForm):
    class Meta:
        model = ReturneeProfile
        fields = ["education_level", "household_size"]
        help_texts = {
            "education_level": _("The highest level you completed."),
            "household_size": _("How many people live in your home, you included."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
        self.fields["household_size"].widget.attrs.update({"min": 1, "max": 30, "inputmode": "numeric"})

    def clean_household_size(self):
        value = self.cleaned_data["household_size"]
        if not 1 <= value <= 30:
            raise ValidationError(_("Enter a number between 1 and 30."), code="range")
        return value


class DeclarationsForm(WordedChoicesMixin, forms.ModelForm):
    class Meta:
        model = ReturneeProfile
        fields = [
            "declares_no_custodial_sentence",
            "declares_no_public_admin_conviction",
            "declares_benefits_not_used",
            "declares_truthful",
        ]
        labels = {
            "declares_no_custodial_sentence": _("I declare that I am not serving a custodial sentence."),
            "declares_no_public_admin_conviction": _(
                "I declare that I have not been convicted of crimes against the public administration."
            ),
            "declares_benefits_not_used": _(
                "I declare that I have not used the benefits of Ley 1565 de 2012 before, under any return type."
            ),
            "declares_truthful": _(
                "I declare that the information I give is true, and I know that officers will check it."
            ),
        }
        help_texts = {
            "declares_no_custodial_sentence": _("People serving a custodial sentence cannot take part."),
            "declares_no_public_admin_conviction": _("Officers check this with the authorities."),
            "declares_benefits_not_used": _("The benefits are used once, under one return type."),
            "declares_truthful": _("False statements cancel the application."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = _("You must accept this declaration to continue.")


class DeletionRequestForm(WordedChoicesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you want your data deleted? (optional)"),
        help_text=_("An officer answers within 15 working days, as Ley 1581 requires."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed and my personal data deleted."),
        help_text=_("Data the law obliges us to keep, such as a disbursed loan, is kept until the term ends."),
        error_messages={"required": _("Tick the box to confirm the request.")},
    )


PROFILE_FORMS = {
    "identity": IdentityForm,
    "contact": ContactForm,
    "residence": ResidenceForm,
    "return": ReturnHistoryForm,
    "household": HouseholdForm,
    "declarations": DeclarationsForm,
}
