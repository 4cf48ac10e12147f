"""Enumerations of the program's own words (Ley 1565, DIVIPOLA, DANE education levels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    CEDULA_CIUDADANIA = "CC", _("Citizenship card (cédula de ciudadanía)")
    CEDULA_EXTRANJERIA = "CE", _("Foreigner ID card (cédula de extranjería)")
    PASAPORTE = "PA", _("Passport")
    TARJETA_IDENTIDAD = "TI", _("Identity card (tarjeta de identidad)")
    PPT = "PPT", _("Temporary protection permit (PPT)")
    PEP = "PEP", _("Special stay permit (PEP)")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    INTERSEX = "I", _("Intersex")
    UNDISCLOSED = "N", _("Prefer not to say")


class ReturnType(models.TextChoices):
    """The four return types of Ley 1565 de 2012; a person uses the benefits once, under one."""

    SOLIDARIO = "solidario", _("Solidarity return (victims of the armed conflict)")
    HUMANITARIO = "humanitario", _("Humanitarian or special-cause return")
    LABORAL = "laboral", _("Labour return")
    PRODUCTIVO = "productivo", _("Productive return")


class EducationLevel(models.TextChoices):
    NONE = "none", _("None")
    PRIMARY = "primary", _("Primary school")
    SECONDARY = "secondary", _("Secondary school (bachillerato)")
    TECHNICAL = "technical", _("Technical or technological")
    UNIVERSITY = "university", _("University degree")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class AccountMail:
    """Kinds of the account mails (notification rows kept out of the inbox)."""

    VERIFY_EMAIL = "account_verify_email"
    PASSWORD_RESET = "account_password_reset"  # noqa: S105 - a kind, not a password
    ACCOUNT_EXISTS = "account_exists"
    KINDS = (VERIFY_EMAIL, PASSWORD_RESET, ACCOUNT_EXISTS)
    # What staff see in the admin list; the email itself is composed when it is sent.
    SUBJECTS = {
        VERIFY_EMAIL: _("Email confirmation link"),
        PASSWORD_RESET: _("Password reset link"),
        ACCOUNT_EXISTS: _("Sign-up attempt for an existing account"),
    }
