from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulationsConfig(AppConfig):
    name = "regulations"
    verbose_name = _("法规标准")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from regulations import lookup
        from regulations.models import Regulation, RegulatoryValue

        for model in (Regulation, RegulatoryValue):
            post_save.connect(lookup.clear_cache, sender=model, dispatch_uid=f"regs-{model}")
            post_delete.connect(lookup.clear_cache, sender=model, dispatch_uid=f"regsd-{model}")

        from accounts.access import is_office
        from lantian import navigation

        navigation.register(_("节假日安排"), "regulations-calendar", order=95, visible=is_office)
