from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DocumentType
from .countries import country_choices
from .crypto import normalize_document_number
from .emails import normalize_email
from .models import Department, Municipality, ReturneeProfile, User
from .phones import DEFAULT_REGION, format_phone, parse_phone, phone_region
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


class NormalizedEmailField(forms.EmailField):
    """An email field that folds the address to its one spelling before validating it, so a
    fullwidth or long-s spelling is the same account, not an "invalid address"."""

    def to_python(self, value):
        return normalize_email(super().to_python(value))


class RegistrationForm(forms.Form):
    email = NormalizedEmailField(
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

    # No "already registered" error here: that would tell anyone which addresses have an
    # account. The owner of an existing address is told by email instead (services).

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
    username = NormalizedEmailField(
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


class EmailPasswordResetForm(PasswordResetForm):
    email = NormalizedEmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class StrictSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _("At least 10 characters. Avoid common words and numbers only.")
        self.fields["new_password2"].help_text = _("Type the same password again, to be sure.")


class IdentityForm(forms.ModelForm):
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


class ContactForm(forms.ModelForm):
    phone_country = forms.ChoiceField(
        label=_("Country of the phone"),
        help_text=_("Colombia, or the country where you live now if you have no Colombian number."),
        required=False,
    )

    class Meta:
        model = ReturneeProfile
        fields = ["phone_country", "phone"]
        help_texts = {
            "phone": _(
                "In Colombia 10 digits, for example 300 123 4567. Abroad, choose the country above or type the "
                "number with + and its code, for example +1 212 555 0123. We may call or text you about your loan."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].widget = forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
        self.fields["phone_country"].choices = [(DEFAULT_REGION, "Colombia (+57)"), *country_choices()]
        if not self.is_bound:
            self.initial["phone_country"] = (
                phone_region(self.instance.phone or "")
                or (self.instance.abroad_country if self.instance.lives_abroad else "")
                or DEFAULT_REGION
            )
            if self.instance.phone:
                self.initial["phone"] = format_phone(self.instance.phone)

    def clean_phone(self):
        region = self.data.get(self.add_prefix("phone_country")) or DEFAULT_REGION
        if region not in dict(self.fields["phone_country"].choices):
            region = DEFAULT_REGION
        return parse_phone(self.cleaned_data["phone"], region)


class MunicipalitySelect(forms.Select):
    """Municipalities grouped by department; a script hides the other departments' groups."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attrs.setdefault("data-filter-by", "id_department")


class ResidenceForm(forms.ModelForm):
    COLOMBIA_FIELDS = ("department", "municipality", "address")
    ABROAD_FIELDS = ("abroad_country", "abroad_city", "abroad_address")

    class Meta:
        model = ReturneeProfile
        fields = [
            "lives_abroad",
            "abroad_country",
            "abroad_city",
            "abroad_address",
            "department",
            "municipality",
            "address",
        ]
        help_texts = {
            "lives_abroad": _(
                "Tick it if you have not come back yet. You can register, enrol in a virtual programme and "
                "prepare your plan from abroad; the application is sent once you are back."
            ),
            "abroad_country": _("Only if you still live abroad."),
            "abroad_city": _("Only if you still live abroad."),
            "abroad_address": _("Only if you still live abroad: street, number, city and postal code."),
            "department": _("The department where you live now."),
            "municipality": _("Choose the department first; the list shows its municipalities."),
            "address": _("Street, number and neighbourhood, or the rural area (vereda)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["abroad_country"] = forms.ChoiceField(
            label=_("Country where you live"),
            help_text=self.Meta.help_texts["abroad_country"],
            choices=[("", _("Choose a country")), *country_choices()],
            required=False,
        )
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
        abroad = cleaned.get("lives_abroad")
        required = self.ABROAD_FIELDS if abroad else self.COLOMBIA_FIELDS
        for name in required:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(
                    name,
                    ValidationError(
                        _("This field is required when you live abroad.")
                        if abroad
                        else _("This field is required when you live in Colombia."),
                        code="required",
                    ),
                )
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
        # Moving abroad or back changes which return date is true: the other one is cleared, and
        # the step "Your return" asks for the date that now applies.
        if abroad:
            cleaned["return_date"] = None
        elif self.instance.lives_abroad:
            cleaned["planned_return_date"] = None
        return cleaned


class ReturnHistoryForm(forms.ModelForm):
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
            "planned_return_date",
            "return_type",
            "forced_return",
            "rur_number",
        ]
        widgets = {"departure_date": DATE_WIDGET, "return_date": DATE_WIDGET, "planned_return_date": DATE_WIDGET}
        help_texts = {
            "country_returned_from": _("The country where you lived before coming back."),
            "departure_date": _(
                "When you left Colombia to live abroad. After a forced return you may leave it empty if you do "
                "not know it; an officer will review it."
            ),
            "return_date": _("When you came back to live in Colombia. Leave it empty if you still live abroad."),
            "planned_return_date": _("Only if you still live abroad: the day you plan to come back."),
            "return_type": _("The type of return under Ley 1565 de 2012 you are registered or will register for."),
            "rur_number": _("Your number in the Registro Único de Retornados, if you have one. You can add it later."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        abroad = self.instance.lives_abroad
        for name in ("country_returned_from", "return_type"):
            self.fields[name].required = True
        # Still abroad: the return has not happened, so the form asks for the planned date instead.
        del self.fields["planned_return_date" if not abroad else "return_date"]
        self.fields["return_date" if not abroad else "planned_return_date"].required = True
        self.fields["country_returned_from"] = forms.ChoiceField(
            label=_("Country you returned from") if not abroad else _("Country you will return from"),
            help_text=self.Meta.help_texts["country_returned_from"],
            choices=[("", _("Choose a country")), *country_choices()],
        )
        if abroad and not self.is_bound and not self.instance.country_returned_from:
            self.initial["country_returned_from"] = self.instance.abroad_country

    def clean_departure_date(self):
        value = self.cleaned_data["departure_date"]
        if value:
            validate_not_future(value)
        return value

    def clean_return_date(self):
        value = self.cleaned_data["return_date"]
        if value and value > timezone.localdate():
            raise ValidationError(
                _(
                    "The return date cannot be in the future. If you have not come back yet, tick “I still live "
                    "abroad” in the step “Where you live” and give the date you plan to come back."
                ),
                code="future_date",
            )
        return value

    def clean_planned_return_date(self):
        value = self.cleaned_data["planned_return_date"]
        if value and value < timezone.localdate():
            raise ValidationError(
                _(
                    "The planned return date is in the past. If you are already back, untick “I still live "
                    "abroad” in the step “Where you live” and give the date you came back."
                ),
                code="planned_in_past",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        left, back = cleaned.get("departure_date"), cleaned.get("return_date")
        if not left and "departure_date" not in self.errors and cleaned.get("forced_return") is not True:
            self.add_error(
                "departure_date",
                ValidationError(
                    _("Enter the date you left Colombia. Only after a forced return may you leave it empty."),
                    code="required",
                ),
            )
        if left and back and back < left:
            self.add_error(
                "return_date",
                ValidationError(_("The return date cannot be before the date you left Colombia."), code="order"),
            )
        planned = cleaned.get("planned_return_date")
        if left and planned and planned < left:
            self.add_error(
                "planned_return_date",
                ValidationError(_("The return date cannot be before the date you left Colombia."), code="order"),
            )
        return cleaned


class HouseholdForm(forms.ModelForm):
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


class DeclarationsForm(forms.ModelForm):
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


class DeletionRequestForm(forms.Form):
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
