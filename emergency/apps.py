from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("重污染天气应对")

    def ready(self):
        from accounts.access import is_staff_user
        from emergency import policies  # noqa: F401 - registers who may see/change emergency's rows
        from lantian import navigation

        navigation.register(_("重污染应对"), "emergency-home", order=60, visible=is_staff_user)

        from emergency.summary import cards as home_cards
        from lantian import home

        home.register("emergency", _("重污染应对"), order=50, cards=home_cards)

        from emergency.todo import todos
        from lantian import todo

        todo.register("emergency", todos)
