from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("监测覆盖")

    def ready(self):
        from accounts.access import is_staff_user
        from lantian import navigation

        navigation.register(_("监测覆盖"), "roster-keyunits", order=42, visible=is_staff_user)
