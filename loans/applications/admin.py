"""Admin of business plans and the document access log (the applications' queue is in review.admin)."""

from django.contrib import admin

from loans.applications.models import BusinessPlan, DocumentAccess, InvestmentItem


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
