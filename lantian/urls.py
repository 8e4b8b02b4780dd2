from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("蓝天 · 管理后台")
admin.site.site_title = _("蓝天")

urlpatterns = [
    path("", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("evidence/", include("evidence.urls")),
    path("emergency/", include("emergency.urls")),
    path("api/", include("api.urls")),
    path("ledger/", include("ledger.urls")),
    path("public/", include("disclosure.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("roster/", include("roster.urls")),
    path("regulations/", include("regulations.urls")),
    path("admin/", admin.site.urls),
    path("plans/", include("plans.urls")),
    path("air/", include("airquality.urls")),
    path("crosscheck/", include("crosscheck.urls")),
    path("reports/", include("reports.urls")),
]
