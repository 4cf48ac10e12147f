from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from applicants.selectors import profile_of, returnee_data_export
from loans.applications import selectors, services
from loans.applications.forms import (
    AnswerForm,
    BusinessPlanForm,
    ChoosePlanForm,
    DeclarationsForm,
    DocumentUploadForm,
    InvestmentItemFormSet,
    PlanNameForm,
    WithdrawForm,
)
from loans.choices import ApplicationStatus
from loans.eligibility import rules as eligibility
from loans.products.forms import LoanRequestForm
from loans.products.schedule import schedule_for
from loans.products.selectors import open_products
from loans.products.views import schedule_csv_response
from portal.storage import download_response

# --- business plans --------------------------------------------------------------------


@login_required
def plan_list(request):
    form = PlanNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(owner=request.user, name=form.cleaned_data["name"])
        except services.ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return redirect("loans:plan_edit", public_id=plan.public_id)
    return render(request, "loans/plan_list.html", {"plans": selectors.plans_for(request.user), "form": form})


@login_required
def plan_edit(request, public_id):
    plan = selectors.plan_for_owner(public_id=public_id, user=request.user)
    form = BusinessPlanForm(request.POST or None, instance=plan)
    items = InvestmentItemFormSet(request.POST or None, instance=plan, prefix="items")
    if request.method == "POST":
        if form.is_valid() and items.is_valid():
            with transaction.atomic():
                services.plan_update(plan=plan, data=form.cleaned_data)
                items.save()
            messages.success(request, _("Plan saved."))
            if request.POST.get("add_rows"):
                return redirect("loans:plan_edit", public_id=plan.public_id)
            next_url = request.POST.get("next") or ""
            if next_url.startswith("/solicitudes/"):
                return redirect(next_url)
            return redirect("loans:plan_edit", public_id=plan.public_id)
        messages.error(request, _("The plan was not saved. Correct the fields marked below."))
    return render(
        request,
        "loans/plan_edit.html",
        {
            "plan": plan,
            "form": form,
            "items": items,
            "missing": selectors.plan_missing(plan),
            "total": selectors.plan_total_investment(plan),
            "next": request.GET.get("next") or request.POST.get("next", ""),
            "draft": selectors.latest_draft_for(request.user),
        },
    )


# --- applications ----------------------------------------------------------------------


@login_required
def application_list(request):
    return render(request, "loans/application_list.html", {"applications": selectors.applications_for(request.user)})


@login_required
@require_POST
def application_new(request):
    application = services.application_create(applicant=request.user)
    return redirect("loans:application_detail", public_id=application.public_id)


@login_required
def application_detail(request, public_id):
    """The task list while a draft; the status page with its timeline afterwards."""
    application = selectors.application_for_status_page(public_id=public_id, user=request.user)
    if application.is_draft:
        tasks = selectors.application_tasks(application)
        return render(
            request,
            "loans/application_tasks.html",
            {"application": application, "tasks": tasks, "done": sum(t.done for t in tasks)},
        )
    result = application.eligibility_results.first()
    return render(
        request,
        "loans/application_status.html",
        {
            "application": application,
            "events": list(application.events.all()),
            "documents": list(application.documents.all()),
            "schedule": selectors.application_schedule(application),
            "verdicts": [eligibility.explain(v) for v in result.verdicts if v["verdict"] != "pass"] if result else [],
            "result": result,
            "can_withdraw": application.status in ApplicationStatus.withdrawable(),
            "pending_offer": application.offer if application.offer_id and application.offer.is_pending else None,
            "has_loan": application.status == ApplicationStatus.DISBURSED,
            "conversation": list(application.messages.all()),
        },
    )


def _draft_or_redirect(request, public_id):
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    if not application.is_draft:
        messages.info(request, _("This application was already sent and can no longer be changed."))
        return application, redirect("loans:application_detail", public_id=application.public_id)
    return application, None


@login_required
def application_plan(request, public_id):
    application, done = _draft_or_redirect(request, public_id)
    if done:
        return done
    form = ChoosePlanForm(request.POST or None, owner=request.user, initial={"plan": application.plan})
    if request.method == "POST" and form.is_valid():
        services.application_set_plan(application=application, plan=form.cleaned_data["plan"])
        missing = selectors.plan_missing(form.cleaned_data["plan"])
        if missing:
            messages.warning(
                request, _("Complete the plan before sending: %(missing)s.") % {"missing": ", ".join(missing)}
            )
            edit = reverse("loans:plan_edit", args=[form.cleaned_data["plan"].public_id])
            return redirect(f"{edit}?next={application_url(application)}")
        return redirect("loans:application_detail", public_id=application.public_id)
    return render(request, "loans/application_plan.html", {"application": application, "form": form})


def application_url(application) -> str:
    return reverse("loans:application_detail", args=[application.public_id])


@login_required
def application_loan(request, public_id):
    application, done = _draft_or_redirect(request, public_id)
    if done:
        return done
    total = selectors.plan_total_investment(application.plan) if application.plan else None
    initial = {
        "product": application.product,
        "amount": application.amount,
        "term_months": application.term_months,
        "grace_months": application.grace_months or 0,
    }
    # "See the schedule" posts the same form without saving (a GET would put the CSRF token in the URL).
    data = request.POST or None
    preview_only = "preview" in request.POST
    form = LoanRequestForm(data, products=open_products(), total_investment=total, initial=initial)
    schedule = None
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        schedule = schedule_for(
            cleaned["product"],
            amount=cleaned["amount"],
            term_months=cleaned["term_months"],
            grace_months=cleaned["grace_months"],
        )
        if not preview_only:
            services.application_set_loan_request(
                application=application,
                product=cleaned["product"],
                amount=cleaned["amount"],
                term_months=cleaned["term_months"],
                grace_months=cleaned["grace_months"],
            )
            messages.success(request, _("Loan request saved."))
            return redirect("loans:application_detail", public_id=application.public_id)
    elif data is None and application.product and not selectors.loan_request_problems(application):
        schedule = selectors.application_schedule(application)
    return render(
        request,
        "loans/application_loan.html",
        {"application": application, "form": form, "schedule": schedule, "total": total},
    )


@login_required
def application_documents(request, public_id):
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED):
        messages.info(request, _("Documents can be added to a draft, or when an officer asks for information."))
        return redirect("loans:application_detail", public_id=application.public_id)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                application=application,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except services.ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("loans:application_documents", public_id=application.public_id)
    return render(
        request,
        "loans/application_documents.html",
        {
            "application": application,
            "form": form,
            "documents": list(application.documents.all()),
            "missing": [selectors.document_kind_label(k) for k in selectors.missing_documents(application)],
        },
    )


@login_required
@require_POST
def document_remove(request, public_id, document_id):
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    document = application.documents.filter(public_id=document_id).first()
    if document is None:
        raise Http404
    try:
        services.document_remove(document=document)
        messages.success(request, _("Document removed."))
    except services.ApplicationError as error:
        messages.error(request, str(error))
    return redirect("loans:application_documents", public_id=application.public_id)


@login_required
def document_download(request, document_id):
    document = selectors.document_for_user(public_id=document_id, user=request.user)
    if request.user.is_staff:
        services.document_access_record(document=document, user=request.user)
    response = download_response(
        document.file.name, filename=document.original_name, content_type=document.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def application_declarations(request, public_id):
    application, done = _draft_or_redirect(request, public_id)
    if done:
        return done
    form = DeclarationsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.application_accept_declarations(application=application)
        return redirect("loans:application_detail", public_id=application.public_id)
    return render(request, "loans/application_declarations.html", {"application": application, "form": form})


@login_required
@never_cache  # shows the whole document number: no copy in any cache, nor in the back button
def application_review(request, public_id):
    """Check your answers, then send. A replayed POST finds the application already sent."""
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    if request.method == "POST":
        try:
            submitted = services.application_submit(application=application, user=request.user)
        except services.ApplicationError as error:
            messages.error(request, str(error))
            return redirect("loans:application_review", public_id=application.public_id)
        if submitted.reference is None:
            # A draft withdrawn (in another tab) before it was ever sent: nothing was sent, no reference.
            messages.error(
                request,
                _("An application that is “%(current)s” cannot become “%(target)s”.")
                % {"current": submitted.get_status_display(), "target": ApplicationStatus.SUBMITTED.label},
            )
            return redirect("loans:application_detail", public_id=application.public_id)
        messages.success(
            request, _("Application sent. Your reference is %(reference)s.") % {"reference": submitted.reference}
        )
        return redirect("loans:application_detail", public_id=application.public_id)
    if not application.is_draft:
        return redirect("loans:application_detail", public_id=application.public_id)

    profile = profile_of(request.user)
    return render(
        request,
        "loans/application_review.html",
        {
            "application": application,
            "problems": selectors.application_problems(application),
            "profile": profile,
            "profile_data": returnee_data_export(profile)["profile"] if profile else {},
            "plan": application.plan,
            "plan_total": selectors.plan_total_investment(application.plan) if application.plan else None,
            "documents": list(application.documents.all()),
            "schedule": selectors.application_schedule(application),
        },
    )


@login_required
def application_schedule_csv(request, public_id):
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    schedule = selectors.application_schedule(application)
    if schedule is None:
        raise Http404
    return schedule_csv_response(schedule, f"plan-de-pagos-{application.reference or 'borrador'}.csv")


@login_required
def application_withdraw(request, public_id):
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("loans:application_detail", public_id=application.public_id)
    return render(request, "loans/application_withdraw.html", {"application": application, "form": form})


def product_list(request):
    return render(request, "loans/product_list.html", {"products": open_products()})


@login_required
def application_answer(request, public_id):
    """The applicant answers an officer's request for information; the application goes back to review."""
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    if application.status != ApplicationStatus.INFO_REQUESTED:
        messages.info(request, _("There is no question from the officer to answer now."))
        return redirect("loans:application_detail", public_id=application.public_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_answer_info(
                application=application, user=request.user, message=form.cleaned_data["message"]
            )
        except services.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your answer was sent. The officer will continue the review."))
        return redirect("loans:application_detail", public_id=application.public_id)
    return render(request, "loans/application_answer.html", {"application": application, "form": form})


@login_required
@require_POST
def application_offer(request, public_id):
    """The applicant accepts or declines the new offer shown on the status page (one button each)."""
    application = selectors.application_for_owner(public_id=public_id, user=request.user)
    try:
        offer_id = int(request.POST.get("offer", ""))
    except ValueError:
        offer_id = 0
    try:
        if request.POST.get("decision") == "accept":
            services.offer_accept(application=application, user=request.user, offer_id=offer_id)
            messages.success(request, _("You accepted the new offer. An approver will now decide."))
        elif request.POST.get("decision") == "decline":
            services.offer_decline(application=application, user=request.user, offer_id=offer_id)
            messages.info(request, _("You declined the offer. You may apply again whenever you wish."))
        else:
            messages.error(request, _("Choose to accept or decline the offer."))
    except services.ApplicationError as error:
        messages.error(request, str(error))
    return redirect("loans:application_detail", public_id=application.public_id)
