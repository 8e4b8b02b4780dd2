from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirqualityConfig(AppConfig):
    name = "airquality"
    verbose_name = _("空气质量")
