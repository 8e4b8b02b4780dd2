"""The admin is for fixing reference data; day-to-day work happens on the ledger pages, which
go through ``ledger.services`` and are audited. Submitted reports are read-only here."""

from django.contrib import admin

from ledger import models


@admin.register(models.LedgerConfig)
class LedgerConfigAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report_day", "propose_order_after_days", "bottom_count"]


class TaskInline(admin.TabularInline):
    model = models.Task
    fields = ["no", "title", "deadline", "immediate", "ongoing", "withdrawn"]
    extra = 0
    show_change_link = True


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "doc_no", "issued", "revision", "published"]
    list_filter = ["city", "kind", "published"]
    search_fields = ["title", "doc_no"]
    readonly_fields = ["source_sha256", "revision", "rules"]
    inlines = [TaskInline]


class AssignmentInline(admin.TabularInline):
    model = models.Assignment
    fk_name = "task"
    fields = ["unit", *models.Assignment.ROLE_FIELDS, "works", "joint_with", "status"]
    readonly_fields = ["status"]
    raw_id_fields = ["unit", "joint_with"]
    extra = 0


@admin.register(models.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "deadline", "immediate", "ongoing", "withdrawn"]
    list_filter = ["plan", "immediate", "ongoing", "withdrawn"]
    search_fields = ["title", "problem"]
    inlines = [AssignmentInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "percent", "is_current", "submitted_at", "source"]
    list_filter = ["period", "is_current", "source"]


@admin.register(models.Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "review_unit", "state", "visit_date", "passed"]


@admin.register(models.Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "due", "state", "issued_at"]
    list_filter = ["kind", "state"]
