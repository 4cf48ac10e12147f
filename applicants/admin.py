from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import crypto, pii, services
from .models import (
    ConsentRecord,
    DeletionRequest,
    Department,
    EconomicDivision,
    EconomicSection,
    Municipality,
    Notification,
    PersonalDataErasure,
    ReturneeProfile,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "email_verified_at", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Status"), {"fields": ["is_active", "email_verified_at", "preferred_language", "date_joined"]}),
        (_("Permissions"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["date_joined"]


PII_FIELDS = ("document_number", "phone", "address")


def can_see_pii(request) -> bool:
    """Whole document numbers, phones and addresses only for users an app registered (applicants.pii)."""
    return pii.can_see_pii(request.user)


@admin.register(ReturneeProfile)
class ReturneeProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "masked_document", "masked_phone", "department", "return_type"]
    list_filter = ["department", "return_type", "forced_return", "sex"]
    list_select_related = ["user", "department"]
    search_fields = ["user__email", "first_names", "last_names"]
    readonly_fields = ["public_id", "user", "declarations_accepted_at", "created_at", "updated_at"]
    autocomplete_fields = ["department", "municipality"]
    show_full_result_count = False

    @admin.display(description=_("name"), ordering="last_names")
    def full_name(self, obj):
        return f"{obj.first_names} {obj.last_names}".strip() or "—"

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    def get_list_display(self, request):
        # The admin instance is shared between requests: choose the columns, never store state.
        if can_see_pii(request):
            return ["full_name", "email", "document_number", "phone", "department", "return_type"]
        return self.list_display

    @admin.display(description=_("document number"))
    def masked_document(self, obj):
        return crypto.mask(obj.document_number)

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return crypto.mask(obj.phone)

    @admin.display(description=_("address"))
    def masked_address(self, obj):
        return crypto.mask(obj.address)

    def get_exclude(self, request, obj=None):
        hidden = ["document_number_hash", "phone_hash"]
        return hidden if can_see_pii(request) else [*hidden, *PII_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if can_see_pii(request) else [*readonly, "masked_document", "masked_phone", "masked_address"]

    def get_search_results(self, request, queryset, search_term):
        """Also find exact document numbers and phones through their blind indexes."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return results, may_have_duplicates
        hashes = crypto.search_hashes(term)
        by_index = queryset.filter(document_number_hash__in=hashes) | queryset.filter(phone_hash__in=hashes)
        return results | by_index, may_have_duplicates

    def save_model(self, request, obj, form, change):
        services.profile_update(
            profile=obj,
            data={name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data},
        )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    list_filter = ["department"]
    search_fields = ["code", "name"]
    list_select_related = ["department"]


@admin.register(EconomicSection)
class EconomicSectionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(EconomicDivision)
class EconomicDivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "section"]
    list_filter = ["section"]
    search_fields = ["code", "name"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "language", "given_at", "withdrawn_at"]
    list_filter = ["version", "language"]
    search_fields = ["user__email"]
    list_select_related = ["user"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "requested_at", "handled_at", "handled_by"]
    list_filter = ["status"]
    search_fields = ["user__email"]
    list_select_related = ["user", "handled_by"]
    readonly_fields = ["user", "reason", "status", "requested_at", "handled_at", "handled_by"]
    actions = ["erase_personal_data"]

    @admin.action(description=_("Erase the personal data of the selected requests"), permissions=["change"])
    def erase_personal_data(self, request, queryset):
        count = 0
        for deletion_request in queryset.filter(status=DeletionRequest.Status.PENDING):
            services.returnee_erase(deletion_request=deletion_request, handled_by=request.user)
            count += 1
        self.message_user(request, _("%(count)d request(s) completed.") % {"count": count}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["key", "created_at"]


@admin.register(PersonalDataErasure)
class PersonalDataErasureAdmin(admin.ModelAdmin):
    """The audit of erasures: read only, kept (it holds no personal data)."""

    list_display = ["erased_at", "user", "erased_by", "deletion_request"]
    list_select_related = ["user", "erased_by"]
    readonly_fields = ["user", "deletion_request", "erased_by", "erased_at", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
