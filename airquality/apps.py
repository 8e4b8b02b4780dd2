from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirqualityConfig(AppConfig):
    name = "airquality"
    verbose_name = _("空气质量")

    def ready(self):
        from accounts.access import is_office, is_staff_user
        from lantian import navigation

        navigation.register(_("空气质量"), "airquality:overview", order=40, visible=is_staff_user)
        navigation.register(_("异常响应"), "airquality:responses", order=41, visible=is_staff_user)
        navigation.register(_("数据导入"), "airquality:imports", order=42, visible=is_office)
