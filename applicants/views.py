import json

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import personal_data, selectors, services
from .consent import consent_text
from .forms import (
    PROFILE_FORMS,
    DeletionRequestForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    RegistrationForm,
    StrictSetPasswordForm,
)
from .pdf import data_export_pdf
from .tokens import email_verification_token

User = get_user_model()
SIGNUP_EMAIL = "signup_email"


def home(request):
    return render(request, "pages/home.html")


def register(request):
    if request.user.is_authenticated:
        return redirect("applicants:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The same answer whether the address is new or already has an account (the owner of
        # an existing one is told by email): nobody learns here who is registered.
        services.user_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            language=request.LANGUAGE_CODE,
        )
        request.session[SIGNUP_EMAIL] = form.cleaned_data["email"]
        return redirect("applicants:verify_email_sent")
    return render(request, "applicants/register.html", {"form": form, "consent_text": consent_text()})


def verify_email_sent(request):
    return render(request, "applicants/verify_email_sent.html", {"signup_email": request.session.get(SIGNUP_EMAIL)})


@login_required
@require_POST
def verify_email_resend(request):
    services.verification_email_resend(user=request.user)
    messages.success(request, _("We sent you a new confirmation link. It is valid for 3 days."))
    return redirect("applicants:verify_email_sent")


def verify_email(request, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is not None and user.email_verified:
        messages.info(request, _("Your email address is already confirmed."))
        return redirect("applicants:dashboard" if request.user.is_authenticated else "applicants:login")
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "applicants/verify_email_invalid.html", status=400)
    services.user_verify_email(user=user)
    messages.success(request, _("Thank you: your email address is confirmed."))
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("applicants:dashboard")
    if not request.user.is_authenticated and user.is_active and not user.is_staff:
        # The one-time link proves the person reads this mailbox: they continue logged in.
        request.session.pop(SIGNUP_EMAIL, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("applicants:dashboard")
    return redirect("applicants:login")


class LoginView(auth_views.LoginView):
    template_name = "applicants/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Carry the person's chosen language to every device they log in from.
        response.set_cookie(
            "django_language",
            self.request.user.preferred_language,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=self.request.is_secure(),
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "applicants/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"
    subject_template_name = "emails/password_reset_subject.txt"
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("applicants:password_reset_done")

    def form_valid(self, form):
        # Queued as a notification row and sent after commit by a task: the page answers
        # the same, in the same time, for a known and an unknown address.
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "applicants/password_reset_confirm.html"
    form_class = StrictSetPasswordForm
    success_url = reverse_lazy("applicants:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever locked this account with wrong passwords, its owner is back in.
        axes_reset(username=form.user.email)
        return response


@require_POST
def language_switch(request):
    """Django's set_language, and remembered on the account for emails and other devices."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        services.user_set_language(user=request.user, language=language)
    return response


@login_required
def dashboard(request):
    profile = selectors.profile_of(request.user)
    if profile is None:
        if request.user.is_staff:
            return redirect("admin:index")
        profile = services.profile_ensure(user=request.user)
    return render(
        request,
        "applicants/dashboard.html",
        {
            "profile": profile,
            "progress": selectors.profile_progress(profile),
            "next_step": selectors.profile_next_step(profile),
            "consent": selectors.consent_current(request.user),
        },
    )


@login_required
def profile_start(request):
    profile = selectors.profile_of(request.user) or services.profile_ensure(user=request.user)
    step = selectors.profile_next_step(profile) or selectors.PROFILE_STEPS[0]
    return redirect("applicants:profile_step", public_id=profile.public_id, step=step.slug)


@login_required
@never_cache  # the identity step shows the whole document number
def profile_step(request, public_id, step: str):
    profile = selectors.profile_for_owner(public_id=public_id, user=request.user)
    if step not in PROFILE_FORMS:
        raise Http404
    form_class = PROFILE_FORMS[step]
    form = form_class(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.profile_update(profile=profile, data=form.cleaned_data)
        messages.success(request, _("Saved."))
        next_step = selectors.profile_next_step(profile)
        if next_step is None:
            messages.success(request, _("Your profile is complete."))
            return redirect("applicants:profile_summary", public_id=profile.public_id)
        return redirect("applicants:profile_step", public_id=profile.public_id, step=next_step.slug)
    return render(
        request,
        "applicants/profile_step.html",
        {
            "profile": profile,
            "form": form,
            "step": selectors.STEP_BY_SLUG[step],
            "progress": selectors.profile_progress(profile),
        },
    )


@login_required
@never_cache  # shows the whole document number, phone and address
def profile_summary(request, public_id):
    profile = selectors.profile_for_owner(public_id=public_id, user=request.user)
    return render(
        request,
        "applicants/profile_summary.html",
        {
            "profile": profile,
            "data": selectors.returnee_data_export(profile),
            "progress": selectors.profile_progress(profile),
        },
    )


@login_required
def data_export(request, public_id, fmt: str):
    selectors.profile_for_owner(public_id=public_id, user=request.user)
    data = personal_data.export_person(request.user)
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        filename = "mis-datos-retorno-productivo.json"
    else:
        shown_first = ("account", "profile", "consents", "kept_by_law")
        rest = {key: value for key, value in data.items() if key not in shown_first}
        pdf_data = {**{key: data[key] for key in shown_first}, "rest": rest}
        response = HttpResponse(data_export_pdf(pdf_data), content_type="application/pdf")
        filename = "mis-datos-retorno-productivo.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def deletion_request(request, public_id):
    profile = selectors.profile_for_owner(public_id=public_id, user=request.user)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.deletion_request_create(user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("We received your request to delete your data. An officer will answer within 15 working days.")
        )
        return redirect("applicants:dashboard")
    pending = request.user.deletion_requests.filter(status="pending").first()
    return render(
        request,
        "applicants/deletion_request.html",
        {"form": form, "profile": profile, "pending": pending, "kept": personal_data.retained_for(request.user)},
    )


@login_required
def consent_detail(request):
    """The full text in the person's language, and every consent they gave or withdrew."""
    return render(
        request,
        "applicants/consent.html",
        {
            "consents": request.user.consents.all(),
            "current": selectors.consent_current(request.user),
            "consent_text": consent_text(),
        },
    )


@login_required
def consent_withdraw(request):
    """A confirmation page that says what happens; on confirmation, stop and log out."""
    current = selectors.consent_current(request.user)
    if current is None:
        return redirect("applicants:consent")
    if request.method == "POST":
        services.consent_withdraw(user=request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Your authorisation is withdrawn and you are logged out. We no longer process your data or send you "
                "messages. To have your data deleted, log in and ask for it from your account."
            ),
        )
        return redirect("home")
    return render(
        request,
        "applicants/consent_withdraw.html",
        {"kept": personal_data.retained_for(request.user)},
    )


@login_required
def inbox(request):
    return render(request, "applicants/inbox.html", {"notifications": selectors.notifications_for(request.user)[:100]})


@login_required
@require_POST
def notification_open(request, notification_id: int):
    notification = get_object_or_404(request.user.notifications, pk=notification_id)
    services.notification_mark_read(notification=notification)
    target = notification.link or reverse("applicants:inbox")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("applicants:inbox")
    return HttpResponseRedirect(target)
