from django.contrib import admin

from regulations.models import Regulation, RegulatoryValue


class ValueInline(admin.TabularInline):
    model = RegulatoryValue
    extra = 1


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "family",
        "title",
        "effective_from",
        "effective_to",
        "scope",
        "verified",
    ]
    list_filter = ["family", "verified", "scope"]
    search_fields = ["code", "title", "source"]
    inlines = [ValueInline]
    save_as = True
