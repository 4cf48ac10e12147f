"""Admin of business plans, the document access log and eligibility re-checks: start one (a
product's action, or "add" for every product), follow its progress, resume it, and show officers
the applications a re-check now fails. The applications' queue and decisions are in review.admin."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from loans import permissions
from loans.applications import services
from loans.applications.models import BusinessPlan, DocumentAccess, InvestmentItem
from loans.eligibility.models import RecheckItem, RecheckRun
from loans.products.admin import LoanProductAdmin


class InvestmentItemInline(admin.TabularInline):
    model = InvestmentItem
    extra = 0


@admin.register(BusinessPlan)
class BusinessPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "section", "municipality", "jobs_to_create", "updated_at"]
    list_select_related = ["owner", "section", "municipality"]
    search_fields = ["name", "owner__email"]
    inlines = [InvestmentItemInline]
    raw_id_fields = ["owner"]
    autocomplete_fields = ["municipality"]


@admin.register(DocumentAccess)
class DocumentAccessAdmin(admin.ModelAdmin):
    list_display = ["accessed_at", "user", "document"]
    list_select_related = ["user", "document"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.action(description=_("Re-check the applications in review"), permissions=["recheck"])
def recheck_in_review(modeladmin, request, queryset):
    for product in queryset:
        services.recheck_start(product=product, user=request.user)
    modeladmin.message_user(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("Re-check queued for %(count)d product(s).") % {"count": queryset.count()},
            reverse("admin:loans_recheckrun_changelist"),
            _("Follow its progress."),
        ),
    )


def _has_recheck_permission(self, request):
    return permissions.may_recheck(request.user)


# The products admin gains its re-check action here: applications may import products, not the
# reverse. The stubs type ``actions`` per instance and know no ``has_<name>_permission`` hook.
LoanProductAdmin.actions = [*(LoanProductAdmin.actions or []), recheck_in_review]  # type: ignore[misc]
LoanProductAdmin.has_recheck_permission = _has_recheck_permission  # type: ignore[attr-defined]


class RecheckFlagInline(admin.TabularInline):
    """Re-checks whose new result fails: the application stays in review and the officer decides.

    For the application's change page (``inlines`` of the LoanApplication admin).
    """

    model = RecheckItem
    verbose_name_plural = _("re-checks that now fail (for the officer to decide)")
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "run", "previous_outcome", "outcome")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(flagged=True).select_related("run", "run__product")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RecheckRun)
class RecheckRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "scope",
        "ruleset_version",
        "status",
        "progress",
        "changed",
        "flagged_link",
        "started_by",
        "finished_at",
    ]
    list_filter = ["status", "product"]
    list_select_related = ["product", "started_by"]
    actions = ["resume"]
    details = [
        "ruleset_version",
        "status",
        "progress",
        "total",
        "done",
        "changed",
        "now_failing",
        "started_by",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def get_fields(self, request, obj=None):
        return ["product", *self.details] if obj else ["product"]

    def get_readonly_fields(self, request, obj=None):
        return ["product", *self.details] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.started_by = request.user
            services.recheck_queue(run=obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("applies to"), ordering="product__name")
    def scope(self, obj):
        return obj.product or _("All products")

    @admin.display(description=_("progress"))
    def progress(self, obj):
        finished = obj.status == RecheckRun.Status.FINISHED
        percent = int(100 * obj.done / obj.total) if obj.total else (100 if finished else 0)
        return format_html(
            '<progress value="{}" max="100">{} %</progress> {} / {} ({} %)',
            percent,
            percent,
            obj.done,
            obj.total,
            percent,
        )

    @admin.display(description=_("now failing"), ordering="now_failing")
    def flagged_link(self, obj):
        if not obj.now_failing:
            return 0
        url = reverse("admin:loans_recheckitem_changelist") + f"?run__id__exact={obj.pk}&flagged__exact=1"
        return format_html('<a href="{}">{}</a>', url, obj.now_failing)

    @admin.action(description=_("Queue the missing chunks again"), permissions=["add"])
    def resume(self, request, queryset):
        queued = sum(services.recheck_resume(run=run) for run in queryset)
        self.message_user(request, _("%(count)d chunk(s) queued.") % {"count": queued})


@admin.register(RecheckItem)
class RecheckItemAdmin(admin.ModelAdmin):
    """Every application a run re-checked; filter 'flagged' for those the officer must decide."""

    list_display = ["application_link", "run", "previous_outcome", "outcome", "flagged", "created_at"]
    list_filter = ["flagged", "outcome", "run"]
    list_select_related = ["application", "run", "run__product"]
    search_fields = ["application__reference"]
    show_full_result_count = False

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj):
        url = reverse("admin:loans_loanapplication_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.application)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
