from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        from accounts.access import sees_everything
        from audit import checks  # noqa: F401 - registers the deploy check
        from lantian import navigation

        navigation.register(_("审计日志"), "audit-list", order=95, visible=sees_everything)
