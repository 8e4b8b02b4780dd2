from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirqualityConfig(AppConfig):
    name = "airquality"
    verbose_name = _("空气质量")

    def ready(self):
        from accounts.access import is_staff_user
        from airquality import policies  # noqa: F401 - registers who may see/change airquality's rows
        from lantian import navigation

        navigation.register(_("空气质量"), "airquality:overview", order=50, visible=is_staff_user)
        navigation.register(_("异常响应"), "airquality:responses", order=51, visible=is_staff_user)

        from airquality.summary import cards as home_cards
        from lantian import home

        home.register("airquality", _("空气质量"), order=40, cards=home_cards)

        from airquality.todo import todos
        from lantian import todo

        todo.register("airquality", todos)
