"""The officers' queue and application page, decisions, loans, repayments and follow-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from applicants import crypto
from applicants.emails import normalize_email
from applicants.models import User
from loans import permissions
from loans.applications import workflow
from loans.applications.admin import RecheckFlagInline
from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus as S
from loans.eligibility.models import EligibilityResult
from loans.eligibility.rules import RULE_TITLES
from loans.products.money import format_cop
from loans.review import selectors as review_selectors
from loans.review import services as review
from loans.review.forms import (
    ApproveForm,
    AssignForm,
    DisburseForm,
    NoteForm,
    OverrideForm,
    RecommendForm,
    RejectForm,
    RepriceForm,
    RequestInfoForm,
    ScoresForm,
    SendBackForm,
    program_officers,
)
from loans.review.models import ScoringCriterion
from portal.pagination import SEARCH_EXACT_BELOW, EstimatedCountPaginator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


class DropdownFilterMixin:
    """A filter with many choices (33 departments, 21 sectors, the review flags) as one labelled
    drop-down instead of a column of links (Django's own filters, our template; no inline script)."""

    template = "admin/loans/dropdown_filter.html"

    @property
    def dom_id(self) -> str:
        name = getattr(self, "field_path", None) or getattr(self, "parameter_name", "")
        return f"filter-{name}".replace("__", "-").replace("_", "-")


class DropdownRelatedFilter(DropdownFilterMixin, admin.RelatedFieldListFilter):
    pass


class DropdownFlagFilter(DropdownFilterMixin, FlagFilter):
    pass


class AssignedOfficerFilter(DropdownFilterMixin, admin.RelatedFieldListFilter):
    """Offers the program officers, not every account (applicants are users too)."""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, str(user)) for user in program_officers()]


@dataclass(frozen=True)
class DecisionScreen:
    """How the admin takes one decision of workflow.MOVES: its form, its title, the service it calls."""

    form: type[forms.Form]
    label: StrOrPromise
    apply: Callable[[LoanApplication, User, dict], object]


# Which statuses allow a decision and who may take it: workflow.MOVES. Here, only the screens.
DECISIONS: dict[str, DecisionScreen] = {
    "request_info": DecisionScreen(
        RequestInfoForm,
        _("Request information"),
        lambda application, user, data: review.application_request_info(
            application=application, officer=user, message=data["message"]
        ),
    ),
    "recommend": DecisionScreen(
        RecommendForm,
        _("Recommend"),
        lambda application, user, data: review.application_recommend(
            application=application,
            officer=user,
            note=data["note"],
            amount=data["amount"],
            term_months=data["term_months"],
        ),
    ),
    "reject": DecisionScreen(
        RejectForm,
        _("Reject"),
        lambda application, user, data: review.application_reject(
            application=application,
            officer=user,
            reason_code=data["reason_code"],
            message=data["message"],
            seen_status=data["seen_status"] or None,
        ),
    ),
    "approve": DecisionScreen(
        ApproveForm,
        _("Approve"),
        lambda application, user, data: review.application_approve(
            application=application, approver=user, note=data["note"]
        ),
    ),
    "send_back": DecisionScreen(
        SendBackForm,
        _("Send back to the officers"),
        lambda application, user, data: review.application_send_back(
            application=application, approver=user, reason=data["reason"]
        ),
    ),
    "override": DecisionScreen(
        OverrideForm,
        _("Override the automatic result"),
        lambda application, user, data: review.application_override_ineligible(
            application=application, officer=user, reason=data["reason"]
        ),
    ),
    "disburse": DecisionScreen(
        DisburseForm,
        _("Disburse"),
        lambda application, user, data: review.application_disburse(
            application=application,
            approver=user,
            disbursed_on=data["disbursed_on"],
            amount=data["amount"],
            bank_reference=data["bank_reference"],
        ),
    ),
    # Not a move of the workflow (the status stays approved): a new offer the applicant must accept.
    "reprice": DecisionScreen(
        RepriceForm,
        _("Re-price under the usury cap"),
        lambda application, user, data: review.application_reprice(
            application=application, approver=user, annual_rate_pct=data["annual_rate_pct"]
        ),
    ),
}


def _decision_permission(action: str) -> str:
    move = workflow.MOVES.get(action)
    return (move.permission if move else None) or permissions.APPROVER


def _decision_open(action: str, application: LoanApplication, user: User) -> bool:
    """The workflow's table decides; staff are never offered a decision on their own application."""
    if permissions.is_own(user, application):
        return False
    if action in workflow.MOVES:
        return workflow.decision_open(action, application, user)
    # Re-pricing: an approved application waiting for disbursement, by an approver.
    return application.status in workflow.MOVES["disburse"].sources and permissions.is_approver(user)


@admin.register(LoanApplication)
class LoanApplicationAdmin(SimpleHistoryAdmin):
    change_form_template = "admin/loans/loanapplication/review.html"

    class Media:
        css = {"all": ["portal/css/admin.css"]}
        js = ["portal/js/admin.js"]

    inlines = [RecheckFlagInline]
    # What an officer triages by, narrow enough for 1280 px beside the filters; the product and
    # the sector are filters and on the application page.
    list_display = [
        "reference_or_draft",
        "applicant_name",
        "amount_cop",
        "status",
        "outcome_and_flags",
        "business_department",
        "assigned_to",
        "days_waiting",
    ]
    list_filter = [
        MyQueueFilter,
        "status",
        OutcomeFilter,
        DropdownFlagFilter,
        ("product", DropdownRelatedFilter),
        ("business_department", DropdownRelatedFilter),
        ("business_section", DropdownRelatedFilter),
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
        # A search is estimated from SEARCH_EXACT_BELOW matches on (a common surname at 1M).
        searching = bool(request.GET.get(SEARCH_VAR, "").strip())
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            unfiltered=self.get_queryset(request),
            estimate_from=SEARCH_EXACT_BELOW if searching else None,
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

    @admin.display(description=_("eligibility and flags"), ordering="eligibility_outcome")
    def outcome_and_flags(self, obj):
        flags = self.flags(obj)
        return self.outcome(obj) if flags == "—" else f"{self.outcome(obj)}: {flags}"

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
            matches = queryset.filter(applicant__email=normalize_email(term))
        elif term.upper().startswith("RP-"):
            matches = queryset.filter(reference=term.upper())
        else:
            hashes = crypto.search_hashes(term)
            by_document = queryset.filter(applicant__profile__document_number_hash__in=hashes)
            by_phone = queryset.filter(applicant__profile__phone_hash__in=hashes)
            ids = {*by_document.values_list("pk", flat=True)[:200], *by_phone.values_list("pk", flat=True)[:200]}
            matches = queryset.filter(pk__in=ids)
            if not any(ch.isdigit() for ch in term):
                # Every match, newest first like the queue, paginated by the database.
                by_name = review_selectors.applications_by_last_name(queryset, term)
                matches = (matches | by_name) if ids else by_name
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
        return permissions.is_officer(request.user)

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
        context = review_selectors.review_page(application, request.user)
        context["decisions"] = [
            (action, DECISIONS[action].label)
            for action in DECISIONS
            if _decision_open(action, application, request.user)
        ]
        context["can_note"] = permissions.may_note(request.user)
        context["note_form"] = NoteForm()
        rubric = context["rubric"]
        context["can_score"] = permissions.is_officer(request.user)
        context["scores_form"] = ScoresForm(criteria=rubric["criteria"], current=rubric["scores"])
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def _page(self, application):
        return HttpResponseRedirect(reverse("admin:loans_loanapplication_change", args=[application.pk]))

    def decide_view(self, request, object_id, action):
        if action not in DECISIONS:
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        screen = DECISIONS[action]
        if not request.user.has_perm(_decision_permission(action)):
            raise PermissionDenied
        if request.method != "POST" and not _decision_open(action, application, request.user):
            # A stale link or a typed URL. A POST still goes to the service, whose message says
            # what changed (someone else acted, four eyes).
            messages.error(request, _("No decision is open to you in this status."))
            return self._page(application)
        initial = {"amount": application.recommended_amount or application.amount} if action == "disburse" else {}
        if action == "reject":
            initial["seen_status"] = application.status
        form = screen.form(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                screen.apply(application, request.user, data)
            except (review.ReviewError, PermissionDenied) as error:
                messages.error(request, str(error))
                return self._page(application)
            messages.success(request, _("Done: %(decision)s.") % {"decision": screen.label})
            return self._page(application)
        return TemplateResponse(
            request,
            "admin/loans/loanapplication/decide.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "application": application,
                "title": screen.label,
                "opts": self.model._meta,
                "original": application,
            },
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
        rubric = review_selectors.score_summary(application)
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
