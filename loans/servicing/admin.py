"""Admin of disbursed loans: instalments, repayments (by hand or from a bank file), follow-up visits."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from loans.products.money import format_cop
from loans.servicing import repayments
from loans.servicing.models import (
    CreditRefund,
    FollowUpVisit,
    Loan,
    LoanInstalment,
    PaymentInstructions,
    Repayment,
    ScheduleVersion,
)
from portal import changes
from portal.pagination import EstimatedCountPaginator


class InstalmentInline(admin.TabularInline):
    model = LoanInstalment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number",
        "due_date",
        "interest",
        "capitalised_interest",
        "principal",
        "payment",
        "state_paid",
        "paid_interest",
        "paid_principal",
        "paid_on",
    )

    def has_add_permission(self, request, obj=None):
        return False


class RepaymentInline(admin.TabularInline):
    model = Repayment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "paid_on",
        "amount",
        "bank_reference",
        "source",
        "allocated_default_interest",
        "allocated_interest",
        "allocated_principal",
        "prepaid_principal",
        "unallocated",
    )

    def has_add_permission(self, request, obj=None):
        return False


class ScheduleVersionInline(admin.TabularInline):
    model = ScheduleVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "reason", "prepayment_choice", "repayment", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


class CreditRefundInline(admin.TabularInline):
    model = CreditRefund
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "amount",
        "state",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "bank_reference",
    )

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
    inlines = [InstalmentInline, RepaymentInline, ScheduleVersionInline, CreditRefundInline, VisitInline]
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


class CreditRefundForm(forms.ModelForm):
    """Staff ask for a refund of a loan's credit balance; a different person pays or cancels it."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", "—"), ("pay", _("Paid to the borrower")), ("cancel", _("Cancel"))],
        required=False,
    )

    class Meta:
        model = CreditRefund
        fields = ["loan", "amount", "bank_reference"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            loan, amount = data.get("loan"), data.get("amount")
            if loan is not None and amount is not None and not 0 < amount <= loan.credit_balance:
                raise ValidationError(
                    _("The refund must be above zero and at most the credit balance (%(balance)s).")
                    % {"balance": format_cop(loan.credit_balance)}
                )
            return data
        if self.instance.requested_by_id == getattr(self.user, "pk", None):
            raise ValidationError(_("You asked for this refund; a different person must approve it."))
        if self.instance.state != CreditRefund.State.REQUESTED:
            raise ValidationError(_("This refund was already decided."))
        if data.get("decision") == "pay" and not (data.get("bank_reference") or "").strip():
            raise ValidationError(_("Enter the bank reference of the transfer."))
        if not data.get("decision"):
            raise ValidationError(_("Choose a decision."))
        return data


@admin.register(CreditRefund)
class CreditRefundAdmin(admin.ModelAdmin):
    form = CreditRefundForm
    list_display = ["loan", "amount", "state", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    raw_id_fields = ["loan"]
    list_select_related = ["loan__application", "requested_by", "decided_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["state", "requested_by", "requested_at", "decided_by", "decided_at"]
        return ["loan", "amount", "state", "requested_by", "requested_at", "decided_by", "decided_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["loan", "amount"]
        return [*self.get_readonly_fields(request, obj), "decision", "bank_reference"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the services: one asks, a different person pays (both recorded with the time)."""
        try:
            if not change:
                refund = repayments.credit_refund_request(
                    loan=form.cleaned_data["loan"], user=request.user, amount=form.cleaned_data["amount"]
                )
            else:
                refund = repayments.credit_refund_decide(
                    refund=obj,
                    user=request.user,
                    approve=form.cleaned_data["decision"] == "pay",
                    bank_reference=form.cleaned_data.get("bank_reference") or "",
                )
        except repayments.RepaymentError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        obj.pk = refund.pk


@admin.register(PaymentInstructions)
class PaymentInstructionsAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "updated_at"]


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

    def clean(self):
        # Refused here, as a form error: save_model cannot turn the service's refusal into one.
        data = super().clean()
        loan, paid_on, amount = data.get("loan"), data.get("paid_on"), data.get("amount")
        if loan is not None and paid_on is not None and amount is not None:
            problem = repayments.payment_problem(loan, paid_on, amount, timezone.localdate())
            if problem:
                raise ValidationError(problem)
        return data


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
