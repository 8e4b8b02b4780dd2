from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("调度通报")

    def ready(self):
        from accounts.access import is_staff_user
        from lantian import home, navigation
        from reports import access  # noqa: F401  (registers the access rules)
        from reports.summary import cards

        navigation.register(_("调度通报"), "reports-issues", order=75, visible=is_staff_user)
        home.register("reports", _("调度通报"), order=75, cards=cards)
