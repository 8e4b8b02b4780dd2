from django.contrib import admin

from monitoring.models import Alarm, AlarmAction, Case, Device, DeviceCommand, Quarantine, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "district", "phase", "size_class", "is_active")
    list_filter = ("kind", "district")
    search_fields = ("name", "operator")
    filter_horizontal = ("units",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("mn", "kind", "site", "profile", "strict", "last_seen_at", "is_active")
    list_filter = ("kind", "profile", "is_active")
    search_fields = ("mn", "site__name")
    raw_id_fields = ("site",)


class AlarmActionInline(admin.TabularInline):
    model = AlarmAction
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "actor_name", "unit", "status_after", "level_after", "note")
    exclude = ("actor",)


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    """Read-only here: alarms change only through the handling ledger (services)."""

    list_display = ("id", "site", "kind", "code", "level", "status", "first_at", "due_at")
    list_filter = ("kind", "status", "level")
    inlines = [AlarmActionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only here: cases are opened, decided and closed on the monitoring pages (audited)."""

    list_display = ("number", "alarm", "authority", "opened_on", "status")
    list_filter = ("status",)
    search_fields = ("number", "party")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Quarantine)
class QuarantineAdmin(admin.ModelAdmin):
    list_display = ("received_at", "peer", "mn", "reason", "detail")
    list_filter = ("reason",)
    search_fields = ("mn",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeviceCommand)
class DeviceCommandAdmin(admin.ModelAdmin):
    """Read-only: commands are sent from the device page or the API and followed by the gateway."""

    list_display = ("created_at", "device", "kind", "status", "tries", "requested_by", "detail")
    list_filter = ("kind", "status")
    search_fields = ("device__mn", "qn")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
