from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerAppConfig(AppConfig):
    name = "ledger"
    verbose_name = _("整改台账")

    def ready(self):
        from accounts.access import is_staff_user
        from lantian import navigation

        navigation.register(_("驾驶舱"), "ledger-dashboard", order=10, visible=is_staff_user)
        navigation.register(_("整改台账"), "ledger-task-list", order=20, visible=is_staff_user)
        navigation.register(
            _("督查督办"), "ledger-supervision-list", order=25, visible=is_staff_user
        )
        navigation.register(_("考核排名"), "ledger-ranking", order=28, visible=is_staff_user)
