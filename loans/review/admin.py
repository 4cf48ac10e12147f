"""The officers' queue and application page, decisions, loans, repayments and follow-up."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from applicants import crypto
from applicants.search import fold
from loans.applications import selectors
from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus as S
from loans.eligibility.admin import RecheckFlagInline
from loans.eligibility.models import EligibilityResult
from loans.eligibility.rules import RULE_TITLES
from loans.products.money import format_cop
from loans.review import services as review
from loans.review.forms import (
    ApproveForm,
    AssignForm,
    DisburseForm,
    NoteForm,
    OverrideForm,
    RecommendForm,
    RejectForm,
    RequestInfoForm,
    ScoresForm,
    SendBackForm,
    program_officers,
)
from loans.review.models import ScoringCriterion
from loans.servicing import repayments
from loans.servicing.models import FollowUpVisit, Loan, LoanInstalment, Repayment
from portal import changes
from portal.pagination import EstimatedCountPaginator


class MyQueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", _("My queue")), ("unassigned", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = _("eligibility outcome")
    parameter_name = "eligibility_outcome"

    def lookups(self, request, model_admin):
        return EligibilityResult.Outcome.choices

    def queryset(self, request, queryset):
        return queryset.filter(eligibility_outcome=self.value()) if self.value() else queryset


class FlagFilter(admin.SimpleListFilter):
    title = _("review flag")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [(rule, title) for rule, title in RULE_TITLES.items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(review_flags__icontains=f'"{self.value()}"')
        return queryset


class AssignedOfficerFilter(admin.RelatedFieldListFilter):
    """Offers the program officers, not every account (applicants are users too)."""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, str(user)) for user in program_officers()]


DECISIONS = {
    # action: (form, permission, allowed statuses, label)
    "request_info": (RequestInfoForm, review.OFFICER_PERMISSION, {S.IN_REVIEW}, _("Request information")),
    "recommend": (RecommendForm, review.OFFICER_PERMISSION, {S.IN_REVIEW}, _("Recommend")),
    "reject": (RejectForm, review.OFFICER_PERMISSION, {S.IN_REVIEW, S.INFO_REQUESTED, S.RECOMMENDED}, _("Reject")),
    "approve": (ApproveForm, review.APPROVER_PERMISSION, {S.RECOMMENDED}, _("Approve")),
    "send_back": (SendBackForm, review.APPROVER_PERMISSION, {S.RECOMMENDED}, _("Send back to the officers")),
    "override": (OverrideForm, review.OFFICER_PERMISSION, {S.INELIGIBLE}, _("Override the automatic result")),
    "disburse": (DisburseForm, review.APPROVER_PERMISSION, {S.APPROVED}, _("Disburse")),
}


@admin.register(LoanApplication)
class LoanApplicationAdmin(SimpleHistoryAdmin):
    change_form_template = "admin/loans/loanapplication/review.html"
    inlines = [RecheckFlagInline]
    list_display = [
        "reference_or_draft",
        "applicant_name",
        "product",
        "amount_cop",
        "business_department",
        "business_section",
        "status",
        "outcome",
        "flags",
        "assigned_to",
        "days_waiting",
    ]
    list_filter = [
        MyQueueFilter,
        "status",
        OutcomeFilter,
        FlagFilter,
        "product",
        "business_department",
        "business_section",
        ("assigned_to", AssignedOfficerFilter),
    ]
    list_select_related = ["applicant__profile", "product", "business_department", "business_section", "assigned_to"]
    search_fields = ["=reference"]
    search_help_text = _("Reference (RP-2026-000123), document number, phone, email or last name.")
    ordering = ["-submitted_at", "-id"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    actions = ["assign_to"]
    fields = [
        "reference",
        "status",
        "applicant",
        "product",
        "amount",
        "term_months",
        "grace_months",
        "assigned_to",
        "submitted_at",
        "decided_at",
        "eligibility_outcome",
        "recommended_by",
        "recommended_amount",
        "recommended_term_months",
        "approved_by",
        "rejection_reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=S.DRAFT)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # Leaving drafts out is the queue itself, not a filter: the whole queue is still estimated.
        return self.paginator(
            queryset, per_page, orphans, allow_empty_first_page, unfiltered=self.get_queryset(request)
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reference"), ordering="reference")
    def reference_or_draft(self, obj):
        return obj.reference or "—"

    @admin.display(description=_("applicant"))
    def applicant_name(self, obj):
        profile = getattr(obj.applicant, "profile", None)
        name = f"{profile.first_names} {profile.last_names}".strip() if profile else ""
        return name or obj.applicant.email

    @admin.display(description=_("amount"), ordering="amount")
    def amount_cop(self, obj):
        return format_cop(obj.amount)

    @admin.display(description=_("flags"))
    def flags(self, obj):
        return ", ".join(str(RULE_TITLES.get(flag, flag)) for flag in obj.review_flags) or "—"

    @admin.display(description=_("eligibility outcome"), ordering="eligibility_outcome")
    def outcome(self, obj):
        outcomes = dict(EligibilityResult.Outcome.choices)
        return outcomes.get(obj.eligibility_outcome, obj.eligibility_outcome or "—")

    @admin.display(description=_("days waiting"), ordering="submitted_at")
    def days_waiting(self, obj):
        if obj.submitted_at is None or obj.status in S.final() or obj.status == S.APPROVED:
            return "—"
        return (timezone.now() - obj.submitted_at).days

    def get_search_results(self, request, queryset, search_term):
        """Each kind of term is one indexed look-up (an OR across joined tables would scan them all)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            matches = queryset.filter(applicant__email=term.lower())
        elif term.upper().startswith("RP-"):
            matches = queryset.filter(reference=term.upper())
        else:
            hashes = crypto.search_hashes(term)
            by_document = queryset.filter(applicant__profile__document_number_hash__in=hashes)
            by_phone = queryset.filter(applicant__profile__phone_hash__in=hashes)
            ids = {*by_document.values_list("pk", flat=True)[:200], *by_phone.values_list("pk", flat=True)[:200]}
            if not any(ch.isdigit() for ch in term):
                # Unordered: the planner starts from the last-name index instead of walking the queue's order.
                by_name = queryset.filter(applicant__profile__last_names_search__startswith=fold(term)).order_by()
                ids.update(by_name.values_list("pk", flat=True)[:1000])
            matches = queryset.filter(pk__in=ids)
        return matches, False

    @admin.action(description=_("Assign to an officer"), permissions=["review"])
    def assign_to(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            count = 0
            for application in queryset:
                review.application_assign(
                    application=application, officer=form.cleaned_data["officer"], by=request.user
                )
                count += 1
            self.message_user(request, _("%(count)d application(s) assigned.") % {"count": count}, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/loans/loanapplication/assign.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "queryset": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
                "title": _("Assign to an officer"),
            },
        )

    def has_review_permission(self, request):
        return request.user.has_perm(review.OFFICER_PERMISSION)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/decide/<slug:action>/",
                self.admin_site.admin_view(self.decide_view),
                name="loans_loanapplication_decide",
            ),
            path(
                "<int:object_id>/note/", self.admin_site.admin_view(self.note_view), name="loans_loanapplication_note"
            ),
            path(
                "<int:object_id>/scores/",
                self.admin_site.admin_view(self.scores_view),
                name="loans_loanapplication_scores",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        if application is None:
            return super().change_view(request, object_id, form_url, extra_context)
        context = selectors.review_page(application, request.user)
        context["decisions"] = [
            (action, DECISIONS[action][3]) for action in DECISIONS if self._open(action, application, request.user)
        ]
        context["can_note"] = request.user.has_perm(review.NOTE_PERMISSION)
        context["note_form"] = NoteForm()
        rubric = context["rubric"]
        context["can_score"] = request.user.has_perm(review.OFFICER_PERMISSION)
        context["scores_form"] = ScoresForm(criteria=rubric["criteria"], current=rubric["scores"])
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    @staticmethod
    def _open(action, application, user) -> bool:
        """Whether this user may take this decision on the application as it is now."""
        _form, permission, statuses, _label = DECISIONS[action]
        if application.status not in statuses or not user.has_perm(permission):
            return False
        # Four eyes: whoever recommended is never offered the approval.
        return not (action == "approve" and application.recommended_by_id == user.pk)

    def _page(self, application):
        return HttpResponseRedirect(reverse("admin:loans_loanapplication_change", args=[application.pk]))

    def decide_view(self, request, object_id, action):
        if action not in DECISIONS:
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        form_class, permission, statuses, label = DECISIONS[action]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        if request.method != "POST" and not self._open(action, application, request.user):
            # A stale link or a typed URL. A POST still goes to the service, whose message says
            # what changed (someone else acted, four eyes).
            messages.error(request, _("No decision is open to you in this status."))
            return self._page(application)
        initial = {"amount": application.recommended_amount or application.amount} if action == "disburse" else {}
        if action == "reject":
            initial["seen_status"] = application.status
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                self._apply(action, application, request.user, data)
            except (review.ReviewError, PermissionDenied) as error:
                messages.error(request, str(error))
                return self._page(application)
            messages.success(request, _("Done: %(decision)s.") % {"decision": label})
            return self._page(application)
        return TemplateResponse(
            request,
            "admin/loans/loanapplication/decide.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "application": application,
                "title": label,
                "opts": self.model._meta,
                "original": application,
            },
        )

    @staticmethod
    def _apply(action, application, user, data):
        if action == "send_back":
            review.application_send_back(application=application, approver=user, reason=data["reason"])
        elif action == "request_info":
            review.application_request_info(application=application, officer=user, message=data["message"])
        elif action == "recommend":
            review.application_recommend(
                application=application,
                officer=user,
                note=data["note"],
                amount=data["amount"],
                term_months=data["term_months"],
            )
        elif action == "reject":
            review.application_reject(
                application=application,
                officer=user,
                reason_code=data["reason_code"],
                message=data["message"],
                seen_status=data["seen_status"] or None,
            )
        elif action == "approve":
            review.application_approve(application=application, approver=user, note=data["note"])
        elif action == "override":
            review.application_override_ineligible(application=application, officer=user, reason=data["reason"])
        elif action == "disburse":
            review.application_disburse(
                application=application,
                approver=user,
                disbursed_on=data["disbursed_on"],
                amount=data["amount"],
                bank_reference=data["bank_reference"],
            )

    def note_view(self, request, object_id):
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = NoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                review.note_add(application=application, author=request.user, body=form.cleaned_data["body"])
            except PermissionDenied as error:
                messages.error(request, str(error))
        return self._page(application)

    def scores_view(self, request, object_id):
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        rubric = selectors.score_summary(application)
        form = ScoresForm(request.POST or None, criteria=rubric["criteria"], current=rubric["scores"])
        if request.method == "POST" and form.is_valid():
            try:
                review.scores_save(application=application, officer=request.user, scores=form.scores())
                messages.success(request, _("Scores saved."))
            except (review.ReviewError, PermissionDenied) as error:
                messages.error(request, str(error))
        return self._page(application)


@admin.register(ScoringCriterion)
class ScoringCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "weight", "is_active", "position"]
    list_editable = ["weight", "is_active", "position"]


class InstalmentInline(admin.TabularInline):
    model = LoanInstalment
    extra = 0
    can_delete = False
    fields = [
        "number",
        "due_date",
        "interest",
        "principal",
        "payment",
        "state_paid",
        "paid_interest",
        "paid_principal",
        "paid_on",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RepaymentInline(admin.TabularInline):
    model = Repayment
    extra = 0
    can_delete = False
    fields = [
        "paid_on",
        "amount",
        "bank_reference",
        "source",
        "allocated_interest",
        "allocated_principal",
        "unallocated",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class VisitInline(admin.TabularInline):
    model = FollowUpVisit
    extra = 0
    fields = ["months_after", "due_on", "done_on", "officer", "business_operating", "jobs_created", "notes"]
    readonly_fields = ["months_after", "due_on"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(SimpleHistoryAdmin):
    list_display = ["application", "principal_cop", "disbursed_on", "state", "days_in_arrears"]
    list_filter = ["state"]
    list_select_related = ["application"]
    search_fields = ["=application__reference", "=bank_reference"]
    readonly_fields = [f.name for f in Loan._meta.fields]
    inlines = [InstalmentInline, RepaymentInline, VisitInline]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def save_formset(self, request, form, formset, change):
        with changes.tracking(applications=[form.instance.application_id]):  # visits: jobs found
            super().save_formset(request, form, formset, change)

    @admin.display(description=_("amount"), ordering="principal")
    def principal_cop(self, obj):
        return format_cop(obj.principal)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(admin.ModelAdmin):
    list_display = ["loan", "months_after", "due_on", "done_on", "officer", "business_operating", "jobs_created"]
    list_filter = ["done_on", "business_operating"]
    list_select_related = ["loan__application", "officer"]
    readonly_fields = ["loan", "months_after", "due_on"]
    fields = ["loan", "months_after", "due_on", "done_on", "officer", "business_operating", "jobs_created", "notes"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        with changes.tracking(applications=[obj.loan.application_id]):  # jobs found at the latest visit
            super().save_model(request, obj, form, change)


class RepaymentForm(forms.ModelForm):
    class Meta:
        model = Repayment
        fields = ["loan", "paid_on", "amount", "bank_reference"]

    def clean_loan(self):
        # Refused here, as a form error: save_model cannot turn the service's refusal into one.
        loan = self.cleaned_data["loan"]
        if loan.state == Loan.State.WRITTEN_OFF:
            raise ValidationError(_("This loan was written off."))
        return loan


class BankFileForm(forms.Form):
    file = forms.FileField(
        label=_("Bank file (CSV)"),
        help_text=_("Columns: loan_reference, paid_on (YYYY-MM-DD), amount (whole pesos), bank_reference."),
    )


@admin.register(Repayment)
class RepaymentAdmin(admin.ModelAdmin):
    form = RepaymentForm
    list_display = [
        "bank_reference",
        "loan",
        "paid_on",
        "amount",
        "source",
        "allocated_interest",
        "allocated_principal",
        "unallocated",
    ]
    list_filter = ["source"]
    list_select_related = ["loan__application"]
    search_fields = ["=bank_reference", "=loan__application__reference"]
    raw_id_fields = ["loan"]
    change_list_template = "admin/loans/repayment/change_list.html"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Recorded through the allocation service, never as a bare row."""
        try:
            repayment, created = repayments.repayment_record(
                loan=obj.loan,
                paid_on=obj.paid_on,
                amount=obj.amount,
                bank_reference=obj.bank_reference,
                user=request.user,
            )
        except repayments.RepaymentError as error:
            raise ValidationError(str(error)) from error
        obj.pk = repayment.pk
        if not created:
            self.message_user(
                request, _("This bank reference was already recorded; nothing changed."), messages.WARNING
            )

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="loans_repayment_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BankFileForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 5 * 1024 * 1024:
                form.add_error("file", _("The file is larger than 5 MB; split it."))
            else:
                report = repayments.bank_file_import(content=upload.read(), user=request.user)
                if report.errors:
                    messages.error(request, _("Nothing was applied: correct the lines below and import again."))
                else:
                    messages.success(
                        request,
                        _("%(applied)d payment(s) applied, %(duplicates)d already imported.")
                        % {"applied": report.applied, "duplicates": report.duplicates},
                    )
        return TemplateResponse(
            request,
            "admin/loans/repayment/import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "report": report,
                "opts": self.model._meta,
                "title": _("Import a bank file"),
            },
        )
