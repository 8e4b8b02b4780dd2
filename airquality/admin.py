from django.contrib import admin

from airquality.models import DataImport, DustFall, HourlyObservation, ResponseItem, Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """Stations are master data, registered here before their data can be imported."""

    list_display = ("code", "name", "district", "kind", "in_district_figures", "is_active")
    list_filter = ("kind", "is_active", "district")
    search_fields = ("code", "name")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Derived or workflow data: changed only through ``airquality.services``."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HourlyObservation)
class HourlyObservationAdmin(ReadOnlyAdmin):
    list_display = ("station", "time", "so2", "no2", "co", "o3", "pm10", "pm25")
    list_filter = ("station__district",)
    date_hierarchy = "time"
    list_select_related = ("station",)


@admin.register(DataImport)
class DataImportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "file_name", "status", "rows", "created", "updated")
    list_filter = ("kind", "status")


@admin.register(DustFall)
class DustFallAdmin(ReadOnlyAdmin):
    list_display = ("district", "month", "value", "points")
    list_filter = ("month",)


@admin.register(ResponseItem)
class ResponseItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "scope", "district", "station", "pollutant", "status", "deadline")
    list_filter = ("kind", "status", "district")
