from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("在线监测")

    def ready(self):
        from accounts.access import is_staff_user
        from lantian import navigation
        from monitoring import (
            checks,  # noqa: F401 - registers the deploy check of the key vault
            policies,  # noqa: F401 - registers who may see/change monitoring rows
        )

        navigation.register(_("在线监测"), "monitoring-devices", order=40, visible=is_staff_user)
        navigation.register(_("报警"), "monitoring-alarms", order=41, visible=is_staff_user)

        from lantian import home
        from monitoring.summary import cards as home_cards

        home.register("monitoring", _("在线监测"), order=30, cards=home_cards)

        from lantian import todo
        from monitoring.todo import todos

        todo.register("monitoring", todos)
