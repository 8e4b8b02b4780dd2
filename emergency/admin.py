from django.contrib import admin

from emergency.models import (
    Case,
    DrawRound,
    Enterprise,
    Episode,
    EpisodeStep,
    GradeChange,
    ImportRun,
    Inspection,
    InspectionPlan,
    ReductionMeasure,
)


class ReadOnly(admin.ModelAdmin):
    """Records written by the services: the admin shows them, changes go through the pages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MeasureInline(admin.TabularInline):
    model = ReductionMeasure
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnly):
    list_display = ["name", "credit_code", "district", "industry", "grade", "on_list"]
    list_filter = ["city", "grade", "on_list", "district"]
    search_fields = ["name", "credit_code"]
    inlines = [MeasureInline]


class StepInline(admin.TabularInline):
    model = EpisodeStep
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(ReadOnly):
    list_display = ["number", "city", "level", "starts_at", "lifted_at"]
    inlines = [StepInline]


@admin.register(DrawRound)
class DrawRoundAdmin(ReadOnly):
    list_display = ["episode", "day", "status", "commitment", "drawn_at"]
    # The secret stays out of sight until the draw reveals it on the round's page.
    exclude = ["secret"]


@admin.register(InspectionPlan)
class PlanAdmin(ReadOnly):
    list_display = ["day", "unit", "level", "published_at"]
    list_filter = ["day", "level"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ["plan", "enterprise", "status", "result", "inspector", "inspected_at"]
    list_filter = ["status", "result"]


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["number", "enterprise", "district", "status", "opened_at"]
    list_filter = ["status", "district"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnly):
    list_display = ["original_name", "city", "status", "rows", "created_at", "applied_at"]


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnly):
    list_display = ["enterprise", "old_grade", "new_grade", "effective_on", "source"]
