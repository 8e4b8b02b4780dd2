from django.contrib import admin

from plans.models import ImportDraft


@admin.register(ImportDraft)
class ImportDraftAdmin(admin.ModelAdmin):
    list_display = ("__str__", "source_name", "status", "created_by", "created_at")
    list_filter = ("status",)
    readonly_fields = ("sha256", "extracted", "corrections", "outcome", "created_at", "updated_at")
