from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnemapConfig(AppConfig):
    name = "onemap"
    verbose_name = _("一张图")

    def ready(self):
        from lantian import navigation
        from onemap.data import may_see_map

        navigation.register(_("一张图"), "onemap", order=15, visible=may_see_map)
