from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrosscheckConfig(AppConfig):
    name = "crosscheck"
    verbose_name = _("数据核验")

    def ready(self):
        from accounts.access import sees_everything
        from lantian import home, navigation

        navigation.register(_("数据核验"), "crosscheck-findings", order=70, visible=sees_everything)

        from crosscheck.summary import cards

        home.register("crosscheck", _("数据核验"), order=70, cards=cards)

        from crosscheck.todo import todos
        from lantian import todo

        todo.register("crosscheck", todos)
