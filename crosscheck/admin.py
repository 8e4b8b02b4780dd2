from django.contrib import admin

from crosscheck.models import Finding


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("title", "rule", "severity", "status", "unit", "last_found_at")
    list_filter = ("rule", "severity", "status")
    search_fields = ("title", "detail", "key")
    readonly_fields = [f.name for f in Finding._meta.fields]

    def has_add_permission(self, request):
        return False
