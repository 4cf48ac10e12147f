"""Pages of the entrepreneurship programmes: public list, the returnee's enrolments, mentors, operators."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.selectors import profile_of
from loans import permissions
from loans.programmes import selectors, services
from loans.programmes.errors import ProgrammeError
from loans.programmes.forms import (
    AttendanceForm,
    CertificateForm,
    CommentForm,
    MentorForm,
    PlanChoiceForm,
    ProgrammeFilterForm,
)
from loans.programmes.models import EnrolmentStatus, Modality

# --- public --------------------------------------------------------------------------------


def programme_list(request):
    """Public, no JavaScript: a GET form filters by department and modality."""
    form = ProgrammeFilterForm(request.GET or None)
    department = modality = ""
    if form.is_valid():
        department, modality = form.cleaned_data["department"], form.cleaned_data["modality"]
    programmes = selectors.published_programmes(department=department, modality=modality)
    return render(request, "loans/programmes/programme_list.html", {"form": form, "programmes": programmes})


def programme_detail(request, public_id):
    programme = selectors.programme_public(public_id)
    today = timezone.localdate()
    profile = profile_of(request.user) if request.user.is_authenticated else None
    return render(
        request,
        "loans/programmes/programme_detail.html",
        {
            "programme": programme,
            "cohorts": selectors.programme_cohorts(programme),
            "mine": selectors.active_enrolments_by_cohort(request.user),
            "today": today,
            "abroad_in_person": bool(profile and profile.lives_abroad and programme.modality != Modality.VIRTUAL),
        },
    )


# --- the returnee --------------------------------------------------------------------------


@login_required
@require_POST
def cohort_enrol(request, public_id):
    cohort = selectors.cohort_public(public_id)
    try:
        enrolment = services.enrolment_create(returnee=request.user, cohort=cohort)
    except ProgrammeError as error:
        messages.error(request, str(error))
        return redirect("loans:programme_detail", public_id=cohort.programme.public_id)
    if enrolment.status == EnrolmentStatus.WAITING:
        messages.warning(
            request, _("The cohort is full: you are on its waiting list. We will tell you when a place opens.")
        )
    else:
        messages.success(request, _("You are enrolled. Welcome to the programme!"))
    return redirect("loans:enrolment_detail", public_id=enrolment.public_id)


@login_required
def enrolment_list(request):
    return render(
        request, "loans/programmes/enrolment_list.html", {"enrolments": selectors.enrolments_for(request.user)}
    )


def _enrolment_page(request, enrolment, *, plan_form=None, certificate_form=None, comment_form=None, status=200):
    return render(
        request,
        "loans/programmes/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "plan_form": plan_form
            or PlanChoiceForm(user=request.user, initial={"plan": enrolment.plan_id} if enrolment.plan_id else None),
            "certificate_form": certificate_form or CertificateForm(),
            "comment_form": comment_form or CommentForm(),
            "comments": selectors.plan_comments(enrolment),
            "attendances": enrolment.attendances.all(),
        },
        status=status,
    )


@login_required
def enrolment_detail(request, public_id):
    enrolment = selectors.enrolment_for_owner(public_id=public_id, user=request.user)
    return _enrolment_page(request, enrolment)


@login_required
@require_POST
def enrolment_plan(request, public_id):
    enrolment = selectors.enrolment_for_owner(public_id=public_id, user=request.user)
    form = PlanChoiceForm(request.POST, user=request.user)
    if not form.is_valid():
        return _enrolment_page(request, enrolment, plan_form=form, status=400)
    services.enrolment_set_plan(enrolment=enrolment, user=request.user, plan=form.cleaned_data["plan"])
    messages.success(request, _("Your mentor will follow this plan."))
    return redirect("loans:enrolment_detail", public_id=enrolment.public_id)


@login_required
@require_POST
def enrolment_certificate(request, public_id):
    enrolment = selectors.enrolment_for_owner(public_id=public_id, user=request.user)
    form = CertificateForm(request.POST, request.FILES)
    if not form.is_valid():
        return _enrolment_page(request, enrolment, certificate_form=form, status=400)
    name, content = form.checked
    try:
        services.certificate_upload(enrolment=enrolment, user=request.user, name=name, content=content)
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Certificate uploaded. The operator will verify it."))
    return redirect("loans:enrolment_detail", public_id=enrolment.public_id)


@login_required
@require_POST
def enrolment_comment(request, public_id):
    enrolment = selectors.enrolment_for_owner(public_id=public_id, user=request.user)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _enrolment_page(request, enrolment, comment_form=form, status=400)
    try:
        services.plan_comment_add(enrolment=enrolment, author=request.user, body=form.cleaned_data["body"])
    except ProgrammeError as error:
        form.add_error("body", str(error))
        return _enrolment_page(request, enrolment, comment_form=form, status=400)
    messages.success(request, _("Answer sent to your mentor."))
    return redirect("loans:enrolment_detail", public_id=enrolment.public_id)


@login_required
@require_POST
def enrolment_withdraw(request, public_id):
    enrolment = selectors.enrolment_for_owner(public_id=public_id, user=request.user)
    try:
        services.enrolment_withdraw(enrolment=enrolment, user=request.user)
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You left the cohort."))
    return redirect("loans:enrolments")


def _certificate_response(enrolment):
    if not enrolment.certificate:
        raise Http404
    response = FileResponse(
        enrolment.certificate.open("rb"), as_attachment=True, filename=enrolment.certificate_name or "certificado"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def enrolment_certificate_download(request, public_id):
    return _certificate_response(selectors.enrolment_for_owner(public_id=public_id, user=request.user))


# --- mentors -------------------------------------------------------------------------------


def mentor_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.is_mentor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@mentor_required
def mentor_home(request):
    return render(
        request, "loans/programmes/mentor_home.html", {"enrolments": selectors.mentee_enrolments(request.user)}
    )


@mentor_required
def mentor_enrolment(request, public_id):
    enrolment = selectors.enrolment_for_mentor(public_id=public_id, user=request.user)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.plan_comment_add(enrolment=enrolment, author=request.user, body=form.cleaned_data["body"])
            except ProgrammeError as error:
                form.add_error("body", str(error))
            else:
                messages.success(request, _("Comment sent to your mentee."))
                return redirect("loans:mentor_enrolment", public_id=enrolment.public_id)
        status = 400
    plan = enrolment.plan
    return render(
        request,
        "loans/programmes/mentor_enrolment.html",
        {
            "enrolment": enrolment,
            "plan": plan,
            "items": plan.items.all() if plan else [],
            "comments": selectors.plan_comments(enrolment),
            "form": form,
        },
        status=status,
    )


# --- operators -----------------------------------------------------------------------------


def operator_required(view):
    """Operator staff with the role and a second factor; which cohorts is checked per object."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not permissions.is_programme_operator(user):
            raise Http404
        if not user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapper


@operator_required
def operator_home(request):
    return render(
        request, "loans/programmes/operator_home.html", {"cohorts": selectors.cohorts_for_operator(request.user)}
    )


def _cohort_page(request, cohort, *, invalid=None, status=200):
    """The cohort's enrolments, each with its own attendance form (ids unique on the page)."""
    rows = []
    for enrolment in selectors.cohort_enrolments(cohort):
        form = invalid[1] if invalid and invalid[0] == enrolment.pk else None
        rows.append((enrolment, form or AttendanceForm(cohort=cohort, auto_id=f"id_{enrolment.pk}_%s")))
    return render(
        request,
        "loans/programmes/operator_cohort.html",
        {"cohort": cohort, "rows": rows, "mentors": selectors.mentors()},
        status=status,
    )


@operator_required
def operator_cohort(request, public_id):
    return _cohort_page(request, selectors.cohort_for_operator(public_id=public_id, user=request.user))


def _operator_action(request, public_id, action, success):
    enrolment = selectors.enrolment_for_operator(public_id=public_id, user=request.user)
    try:
        action(enrolment)
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("loans:operator_cohort", public_id=enrolment.cohort.public_id)


@operator_required
@require_POST
def operator_attendance(request, public_id):
    enrolment = selectors.enrolment_for_operator(public_id=public_id, user=request.user)
    form = AttendanceForm(request.POST, cohort=enrolment.cohort, auto_id=f"id_{enrolment.pk}_%s")
    if not form.is_valid():
        messages.error(request, _("Attendance was not recorded. Correct the fields marked below."))
        return _cohort_page(request, enrolment.cohort, invalid=(enrolment.pk, form), status=400)
    return _operator_action(
        request,
        public_id,
        lambda e: services.attendance_record(
            enrolment=e,
            operator=request.user,
            session_on=form.cleaned_data["session_on"],
            present=form.cleaned_data["present"],
        ),
        _("Attendance recorded."),
    )


@operator_required
@require_POST
def operator_complete(request, public_id):
    return _operator_action(
        request,
        public_id,
        lambda e: services.enrolment_complete(enrolment=e, operator=request.user),
        _("Completion recorded."),
    )


@operator_required
@require_POST
def operator_verify_certificate(request, public_id):
    return _operator_action(
        request,
        public_id,
        lambda e: services.certificate_verify(enrolment=e, operator=request.user),
        _("Certificate verified; the programme is recorded as completed."),
    )


@operator_required
@require_POST
def operator_assign_mentor(request, public_id):
    enrolment = selectors.enrolment_for_operator(public_id=public_id, user=request.user)
    form = MentorForm(request.POST, mentors=selectors.mentors())
    if not form.is_valid():
        messages.error(request, _("Choose one of the mentors listed."))
        return redirect("loans:operator_cohort", public_id=enrolment.cohort.public_id)
    return _operator_action(
        request,
        public_id,
        lambda e: services.mentor_assign(enrolment=e, mentor=form.cleaned_data["mentor"], operator=request.user),
        _("Mentor assigned."),
    )


@operator_required
def operator_certificate_download(request, public_id):
    return _certificate_response(selectors.enrolment_for_operator(public_id=public_id, user=request.user))
