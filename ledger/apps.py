from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerAppConfig(AppConfig):
    name = "ledger"
    verbose_name = _("整改台账")
