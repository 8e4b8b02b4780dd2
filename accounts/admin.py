from django.contrib import admin

from accounts.models import District, Membership, Unit, UnitAlias, UnitGroup


class AliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "kind", "city", "district", "proposed", "is_active"]
    list_filter = ["city", "kind", "proposed", "is_active"]
    search_fields = ["name", "full_name", "aliases__alias"]
    inlines = [AliasInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.city = form.instance.city
            obj.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "open"]
    filter_horizontal = ["members"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind", "parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["unit"]
    search_fields = ["user__username", "unit__name"]
