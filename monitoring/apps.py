from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("在线监测")

    def ready(self):
        from accounts.access import _register_monitoring_policies, is_staff_user
        from lantian import navigation

        navigation.register(_("在线监测"), "monitoring-devices", order=40, visible=is_staff_user)
        navigation.register(_("报警"), "monitoring-alarms", order=41, visible=is_staff_user)
        _register_monitoring_policies()

        from lantian import home
        from monitoring.summary import cards as home_cards

        home.register("monitoring", _("在线监测"), order=30, cards=home_cards)

        from lantian import todo
        from monitoring.todo import todos

        todo.register("monitoring", todos)
