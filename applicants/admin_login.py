"""Staff log in to the admin in one step: email, password and second-factor code together.

django-otp's admin form asks for the password first and then lists the person's devices,
which tells whoever knows a password that it is right before any second factor, and its
messages are English. Here all three fields are checked together, any failure gives one
generic message (counted by django-axes like a wrong password), and the code may come from
any of the person's devices (authenticator app or backup codes).
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.admin import OTPAdminSite

from .forms import NormalizedEmailField

STAFF_LOGIN_FAILED = _("The email, the password or the code is not correct.")


class StaffLoginForm(AdminAuthenticationForm):
    username = NormalizedEmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    otp_token = forms.CharField(
        label=_("Code"),
        help_text=_("The 6 digits of your authenticator app, or one of your backup codes."),
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )
    error_messages = {"invalid_login": STAFF_LOGIN_FAILED, "inactive": STAFF_LOGIN_FAILED}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Fill in the email, the password and the code.")

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        token = (self.cleaned_data.get("otp_token") or "").replace(" ", "")
        if not (username and password and token):
            raise ValidationError(STAFF_LOGIN_FAILED, code="invalid_login")
        user = authenticate(self.request, username=username, password=password)
        device = match_token(user, token) if user is not None else None
        if user is None or device is None or not (user.is_active and user.is_staff):
            if user is not None:
                # A right password with a wrong code is a failure for django-axes too.
                user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
            raise ValidationError(STAFF_LOGIN_FAILED, code="invalid_login")
        # django-otp stores this device in the session when the login completes (user_logged_in).
        user.otp_device = device
        self.user_cache = user
        return self.cleaned_data


class StaffAdminSite(OTPAdminSite):
    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"
