from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from loans.lenders import selectors, services
from loans.lenders.models import ApiToken, Intermediary, Referral, ReferralEvent, WebhookDelivery


@admin.register(Intermediary)
class IntermediaryAdmin(admin.ModelAdmin):
    list_display = ["name", "nit", "kind", "active", "referred", "accepted", "disbursed", "par30"]
    list_filter = ["kind", "active", "departments"]
    search_fields = ["name", "nit"]
    filter_horizontal = ["departments", "products", "users"]

    def changelist_view(self, request, extra_context=None):
        self._figures = selectors.figures_by_intermediary()  # three queries for the whole page
        return super().changelist_view(request, extra_context)

    def _figure(self, obj: Intermediary) -> selectors.LenderFigures:
        return getattr(self, "_figures", {}).get(obj.pk) or selectors.LenderFigures()

    @admin.display(description=_("referred"))
    def referred(self, obj: Intermediary) -> int:
        return self._figure(obj).referred

    @admin.display(description=_("accepted"))
    def accepted(self, obj: Intermediary) -> int:
        return self._figure(obj).accepted

    @admin.display(description=_("disbursed"))
    def disbursed(self, obj: Intermediary) -> int:
        return self._figure(obj).disbursed

    @admin.display(description=_("PAR30 (%)"))
    def par30(self, obj: Intermediary) -> str:
        value = self._figure(obj).par30
        return "—" if value is None else f"{value:.1f}"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["intermediary", "name", "prefix", "active", "last_used_at"]
    list_filter = ["active"]
    readonly_fields = ["prefix", "last_used_at"]
    fields = ["intermediary", "name", "scopes", "active", "prefix", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, clear = ApiToken.issue(intermediary=obj.intermediary, name=obj.name, scopes=obj.scopes)
        obj.pk, obj.prefix = token.pk, token.prefix
        messages.warning(request, _("Copy the token now; it will not be shown again: %(token)s") % {"token": clear})


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "via", "detail", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["application", "intermediary", "status", "created_at"]
    list_filter = ["status", "intermediary"]
    raw_id_fields = ["application"]
    inlines = [ReferralEventInline]

    def get_fields(self, request, obj=None):
        return (
            ["application", "intermediary"]
            if obj is None
            else ["application", "intermediary", "status", "decline_reason", "study_note", "loan"]
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            field = form.base_fields["intermediary"]
            field.required = False
            field.help_text = _("Leave empty for the first active intermediary serving the department and product.")
        return form

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        # Only creation: every later step is the lender's, through the services.
        try:
            referral = services.referral_create(
                application=obj.application,
                officer=request.user,
                intermediary=obj.intermediary if obj.intermediary_id else None,
            )
        except services.LenderError as error:
            messages.error(request, str(error))
            return
        obj.pk = referral.pk


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["intermediary", "event", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event", "intermediary"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["replay"]

    @admin.action(description=_("Send again"))
    def replay(self, request, queryset):
        count = services.delivery_replay(delivery_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        messages.success(request, _("%(count)s deliveries queued again.") % {"count": count})
