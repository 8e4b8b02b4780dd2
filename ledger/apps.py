from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerAppConfig(AppConfig):
    name = "ledger"
    verbose_name = _("整改台账")

    def ready(self):
        from django.db.backends.signals import connection_created

        from accounts.access import is_staff_user
        from lantian.lib.sqlite import use_real_variable_limit

        # plan imports write in bulk: one statement per table, not one per 999 values
        connection_created.connect(use_real_variable_limit, dispatch_uid="sqlite-variable-limit")
        from lantian import navigation
        from ledger import policies  # noqa: F401 - registers who may see/change ledger's rows

        navigation.register(_("驾驶舱"), "ledger-dashboard", order=10, visible=is_staff_user)
        navigation.register(_("整改台账"), "ledger-task-list", order=20, visible=is_staff_user)

        from lantian import home
        from ledger.summary import cards as home_cards

        home.register("ledger", _("整改台账"), order=10, cards=home_cards)

        from lantian import todo
        from ledger.todo import todos

        todo.register("ledger", todos)
