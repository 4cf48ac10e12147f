"""Staff set operators, programmes and cohorts in the admin; enrolments are read there.

Places, the waiting list, completion and mentors change only through the services (the
operator's pages), so the admin shows enrolments read-only.
"""

from django.contrib import admin

from loans.programmes.models import Attendance, Cohort, Enrolment, PlanComment, Programme, ProgrammeOperator


@admin.register(ProgrammeOperator)
class ProgrammeOperatorAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
    filter_horizontal = ["staff"]


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 1
    fields = ["name", "starts_on", "ends_on", "enrolment_deadline", "places", "sessions", "location"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "operator", "modality", "is_published"]
    list_filter = ["modality", "is_published", "operator"]
    search_fields = ["name", "operator__name"]
    filter_horizontal = ["departments"]
    inlines = [CohortInline]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    can_delete = False
    readonly_fields = ["session_on", "present", "recorded_by", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["returnee", "cohort", "status", "mentor", "completed_at", "certificate_verified_at"]
    list_filter = ["status", "cohort__programme__operator", "cohort__programme"]
    list_select_related = ["returnee", "cohort__programme", "mentor"]
    search_fields = ["returnee__email", "cohort__programme__name"]
    inlines = [AttendanceInline]
    readonly_fields = [
        "cohort",
        "returnee",
        "status",
        "mentor",
        "plan",
        "completed_at",
        "completed_by",
        "certificate_name",
        "certificate_uploaded_at",
        "certificate_verified_at",
        "certificate_verified_by",
        "created_at",
    ]
    exclude = ["certificate"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanComment)
class PlanCommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "by_mentor", "created_at"]
    readonly_fields = ["enrolment", "plan", "author", "by_mentor", "body", "created_at"]

    def has_add_permission(self, request):
        return False
