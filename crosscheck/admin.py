from django.contrib import admin

from crosscheck.models import Finding, Signal, TaskPlace


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("title", "rule", "severity", "status", "unit", "last_found_at")
    list_filter = ("rule", "severity", "status")
    search_fields = ("title", "detail", "key")
    readonly_fields = [f.name for f in Finding._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TaskPlace)
class TaskPlaceAdmin(admin.ModelAdmin):
    """Where an item's problem is: photos far from it are questioned (照片拍摄位置不符)."""

    list_display = ("task", "name", "latitude", "longitude")
    search_fields = ("name", "task__title")
    raw_id_fields = ("task",)


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "line", "last_found_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Signal._meta.fields]

    def has_add_permission(self, request):
        return False
